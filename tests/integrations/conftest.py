from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integrations.services import webhook_endpoint_create


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST and answers the queued codes."""

    port: int
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer, in turn; 200 once they run out.
    script: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver.script.pop(0) if receiver.script else 200
                receiver.requests.append(Received(dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(port=free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def endpoint_for(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True

    def make(reseller, user, url: str, events=("order.created", "order.updated")):
        endpoint, secret = webhook_endpoint_create(
            reseller=reseller, url=url, events=list(events), actor=user
        )
        return endpoint, secret

    return make

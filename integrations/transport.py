"""Sending one webhook request, safely.

SSRF (a reseller pointing an endpoint at our own network): the URL's host is resolved once,
every address it resolves to is checked, and the request connects to the checked address
itself, with the original name kept for the `Host` header, TLS SNI and certificate check.
Resolving for the check and letting the HTTP client resolve again would leave a window for
DNS rebinding (a name that answers a public address to the check and 127.0.0.1 to the
connection). urllib3 is used directly because its connection pools take the address to
connect to and the name to verify separately (`server_hostname`, `assert_hostname`); no
redirect is followed, since a redirect could point anywhere.

The same check runs when an endpoint is saved (to tell the reseller at once) and before every
attempt (DNS may have changed since).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

# Cloud metadata services. All but the last are link-local or private already; listed so the
# refusal names them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
# The most of an answer's body read: enough for an error message, bounded for a hostile server.
MAX_RESPONSE_BYTES = 4096
MAX_URL_LENGTH = 500


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why, for the reseller."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the vetted IP address the request connects to


@dataclass(frozen=True)
class Outcome:
    response_code: int | None
    duration_ms: int
    error: str

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> str:
    """Why `address` may not receive webhooks, or "" if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_unspecified:
        # 0.0.0.0 reaches the local machine on most systems: refused even for development.
        return "a reserved address"
    if address.is_loopback:
        return "" if allow_loopback else "a loopback address"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return ""


def parse_url(url: str, *, allow_loopback: bool | None = None) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a well-formed webhook URL, or UnsafeUrl."""
    if allow_loopback is None:
        allow_loopback = settings.WEBHOOKS_ALLOW_LOOPBACK
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"The URL is not valid: {error}.") from error
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if allow_loopback else ("https",)
    if scheme not in allowed:
        raise UnsafeUrl("The URL must start with https://.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeUrl("Put no user name or password in the URL; verify the signature instead.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(url: str, *, allow_loopback: bool | None = None) -> Target:
    """Check `url` and every address its host resolves to; the target to connect to."""
    if allow_loopback is None:
        allow_loopback = settings.WEBHOOKS_ALLOW_LOOPBACK
    scheme, host, port, path = parse_url(url, allow_loopback=allow_loopback)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"The host name {host} could not be resolved.") from error
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = _refusal(address, allow_loopback)
        if reason:
            # Every address is checked: a name with one public and one internal address could
            # otherwise be sent to the internal one by the resolver's choice.
            raise UnsafeUrl(f"{host} resolves to {address}, {reason}; webhooks cannot go there.")
        addresses.append(address)
    if not addresses:
        raise UnsafeUrl(f"The host name {host} could not be resolved.")
    return Target(scheme, host, port, path, str(addresses[0]))


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked again now), never raising for a network problem."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
    except UnsafeUrl as error:
        return Outcome(None, elapsed(), str(error))
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_READ_TIMEOUT
    )
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            maxsize=1,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, maxsize=1, retries=False
        )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(MAX_RESPONSE_BYTES)
        finally:
            response.release_conn()
        return Outcome(response.status, elapsed(), "")
    except urllib3.exceptions.HTTPError as error:
        return Outcome(None, elapsed(), _describe(error))
    finally:
        pool.close()


def _describe(error: Exception) -> str:
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        return "Could not connect: the connection was refused or the host is unreachable."
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        return "Timed out connecting."
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return "Timed out waiting for the answer."
    if isinstance(error, urllib3.exceptions.SSLError):
        return "TLS failed: the certificate is not valid for this host name."
    if isinstance(error, urllib3.exceptions.ProtocolError):
        return "The connection broke before an answer came."
    return f"The request failed ({type(error).__name__})."

"""Issue 11 #11: X-Forwarded-Proto was trusted from any client. It is trusted only when
TRUSTED_PROXY_COUNT says a proxy of ours is in front (the same setting the login lockout uses
to find the client's address)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def _proxy_header_setting(trusted_proxy_count: str | None) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("TRUSTED_PROXY_COUNT", None)
    if trusted_proxy_count is not None:
        env["TRUSTED_PROXY_COUNT"] = trusted_proxy_count
    code = (
        "from django.conf import settings; "
        "print(repr(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_without_a_trusted_proxy_the_header_is_not_trusted():
    assert _proxy_header_setting(None) == "None"
    assert _proxy_header_setting("0") == "None"


def test_behind_a_trusted_proxy_x_forwarded_proto_is_read():
    assert _proxy_header_setting("1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_client_claiming_https_over_plain_http_is_still_redirected(client, settings):
    if settings.TRUSTED_PROXY_COUNT:
        pytest.skip("this run trusts a proxy (TRUSTED_PROXY_COUNT is set)")
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")

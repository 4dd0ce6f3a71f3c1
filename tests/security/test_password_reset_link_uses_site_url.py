"""Issue 11 item 6: the reset link points at SITE_URL whatever Host the request named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_reset_link_ignores_the_request_host(client, settings, mailoutbox):
    settings.ALLOWED_HOSTS = ["portal.example.com", "other.example.net"]
    settings.SITE_URL = "https://portal.example.com"
    UserFactory(email="ada@example.com")

    client.post(
        reverse("password_reset"), {"email": "ada@example.com"}, HTTP_HOST="other.example.net:8443"
    )

    body = mailoutbox[0].body
    assert "https://portal.example.com/accounts/reset/" in body
    assert "other.example.net" not in body
    assert "8443" not in body

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_login_with_email_and_password(client, password):
    UserFactory(email="ada@example.com")
    response = client.post(reverse("login"), {"username": "ADA@example.com", "password": password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_login_page_uses_the_contract_words(client):
    page = client.get(reverse("login")).content.decode()
    for words in ["Email", "Password", "Log in"]:
        assert words in page


@pytest.mark.django_db
def test_repeated_failures_lock_the_login(client, password):
    UserFactory(email="ada@example.com")
    for _ in range(5):
        client.post(reverse("login"), {"username": "ada@example.com", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "ada@example.com", "password": password})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-in attempts" in page
    assert "paused for 15 minutes" in page  # AXES_COOLOFF_HOURS defaults to 0.25


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cooloff_hours", "words"), [(2, "paused for 2 hours"), (1.5, "paused for 1 hour 30 minutes")]
)
def test_the_lockout_page_states_the_configured_wait(client, settings, cooloff_hours, words):
    settings.AXES_COOLOFF_TIME = cooloff_hours
    UserFactory(email="ada@example.com")
    for _ in range(6):
        response = client.post(reverse("login"), {"username": "ada@example.com", "password": "x"})

    assert response.status_code == 429
    page = response.content.decode()
    assert words in page
    assert "15 minutes" not in page


@pytest.mark.django_db
def test_the_lockout_page_without_a_cooloff_says_staff_must_unlock(client, settings):
    settings.AXES_COOLOFF_TIME = None
    UserFactory(email="ada@example.com")
    for _ in range(6):
        response = client.post(reverse("login"), {"username": "ada@example.com", "password": "x"})

    assert response.status_code == 429
    assert "paused until the supplier's staff unlock it" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_an_email(client, mailoutbox):
    UserFactory(email="ada@example.com")
    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_createsuperuser_noinput_from_environment(monkeypatch):
    from django.core.management import call_command

    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Strong-password-2026")
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = User.objects.get(email="boss@example.com")
    assert user.is_staff and user.is_superuser and user.check_password("a-Strong-password-2026")

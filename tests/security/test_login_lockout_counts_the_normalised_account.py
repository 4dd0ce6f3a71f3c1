"""Issue 11 item 1: the lockout cannot be bypassed by spelling the address differently."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from config.proxies import client_ip_settings
from tests.factories import UserFactory

LOGIN = "login"


def _try(client, username: str, password: str, **extra):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff", [False, True], ids=["reseller user", "staff"])
def test_five_wrong_passwords_per_spelling_do_not_buy_a_login(client, password, is_staff):
    user = User.objects.create_user(email="lock2@example.com", password=password, is_staff=is_staff)
    assert user.email == "lock2@example.com"
    for spelling in ["lock2", "Lock2", "lOck2", "loCk2"]:
        for _ in range(5):
            _try(client, f"{spelling}@example.com", "wrong-password")

    response = _try(client, "locK2@example.com", password)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_five_failures_are_shared_across_spellings(client, password):
    UserFactory(email="lock3@example.com")
    for spelling in ["lock3", "LOCK3", "Lock3", "lOck3", "loCk3"]:
        _try(client, f"{spelling}@example.com", "wrong-password")

    assert _try(client, "lock3@example.com", password).status_code == 429


@pytest.mark.django_db
def test_a_long_s_address_is_the_same_account_and_the_same_counter(client, password):
    # Decision: NFKC folds U+017F (ſ) to "s", so "reſeller@" IS "reseller@" everywhere — log-in,
    # sign-up and reset agree, and failures typed either way land on one counter.
    UserFactory(email="reseller@example.com")
    for _ in range(3):
        _try(client, "reseller@example.com", "wrong-password")
    for _ in range(2):
        _try(client, "re\u017feller@example.com", "wrong-password")

    assert _try(client, "reseller@example.com", password).status_code == 429


@pytest.mark.django_db
def test_a_long_s_address_cannot_sign_up_beside_the_plain_one(client, password):
    UserFactory(email="reseller@example.com")
    response = client.post(
        reverse("signup"),
        {
            "company_name": "Copycat",
            "contact_name": "Eve",
            "email": "re\u017feller@example.com",
            "password": password,
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_password_reset_finds_the_account_by_its_normalised_address(client, mailoutbox):
    UserFactory(email="reseller@example.com")
    client.post(reverse("password_reset"), {"email": "RE\u017fELLER@example.com"})
    assert [mail.to for mail in mailoutbox] == [["reseller@example.com"]]


@pytest.mark.django_db
def test_behind_one_proxy_a_spoofed_forwarded_for_does_not_change_the_counted_ip(
    client, settings, password
):
    # TRUSTED_PROXY_COUNT=1: the balancer appends the address it saw; what the client put
    # in front of it is ignored, so rotating a fake header does not reset the counter.
    for name, value in client_ip_settings(1).items():
        setattr(settings, name, value)
    UserFactory(email="ada@example.com")
    for fake in range(5):
        _try(
            client,
            "ada@example.com",
            "wrong-password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{fake}, 203.0.113.7",
        )

    locked = _try(
        client,
        "ada@example.com",
        password,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    other_client = _try(
        client,
        "ada@example.com",
        password,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_the_forwarded_for_header_is_ignored(client, password):
    UserFactory(email="ada@example.com")
    for fake in range(5):
        _try(client, "ada@example.com", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{fake}")

    assert _try(client, "ada@example.com", password).status_code == 429


@pytest.mark.django_db
def test_the_admin_login_shares_the_counter_across_spellings(client, password):
    User.objects.create_user(email="boss@example.com", password=password, is_staff=True)
    for spelling in ["boss", "Boss", "BOSS", "bOss", "boSS"]:
        client.post("/admin/login/", {"username": f"{spelling}@example.com", "password": "x"})

    response = client.post("/admin/login/", {"username": "BoSs@example.com", "password": password})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

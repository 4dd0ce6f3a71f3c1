"""Issue 11 item 8: only the Swagger page gets 'unsafe-inline'; the admin keeps the strict CSP."""

from __future__ import annotations

import pytest


def _directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"])
def test_admin_pages_forbid_inline_script_and_style(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    directives = _directives(response)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_the_admin_login_page_forbids_inline_script(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == "'self'"


@pytest.mark.django_db
def test_portal_pages_forbid_inline_script(client):
    directives = _directives(client.get("/"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"


@pytest.mark.django_db
def test_only_the_api_docs_page_allows_swagger_ui_inline_bootstrap(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    directives = _directives(response)
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["default-src"] == "'self'"

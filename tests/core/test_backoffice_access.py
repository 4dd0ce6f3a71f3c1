"""Every back-office route is for staff only, including routes added after this test."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter

from config.urls import backoffice_urlpatterns

# A sample value per converter (`path()` routes) or per group name (`re_path()` routes). No
# object needs to exist: `staff_required` answers before any view looks one up.
SAMPLE_BY_CONVERTER = {IntConverter: 1}
SAMPLE_BY_GROUP = {"pk": 1, "fmt": "csv"}


def _url(pattern: URLPattern) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    names = converters.keys() if converters else pattern.pattern.regex.groupindex.keys()
    kwargs = {}
    for name in names:
        converter = converters.get(name)
        sample = SAMPLE_BY_CONVERTER.get(type(converter), SAMPLE_BY_GROUP.get(name))
        assert sample is not None, f"add a sample value for <{name}> in {pattern.pattern}"
        kwargs[name] = sample
    return reverse(f"backoffice:{pattern.name}", kwargs=kwargs)


ROUTES = [pytest.param(pattern, id=pattern.name) for pattern in backoffice_urlpatterns]
METHODS = ["get", "post"]


def test_the_route_list_is_the_whole_back_office():
    names = {pattern.name for pattern in backoffice_urlpatterns}
    assert all(names), "every back-office route needs a name"
    # One route from each app, so a broken import of the patterns cannot pass as "no routes".
    assert {
        "dashboard",
        "reseller_approve",
        "channel_list",
        "order_export",
        "rule_edit",
        "apikey_revoke",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pattern", ROUTES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, pattern, method):
    url = _url(pattern)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pattern", ROUTES)
def test_a_reseller_user_gets_403(reseller_client, pattern, method):
    response = getattr(reseller_client, method)(_url(pattern))

    assert response.status_code == 403

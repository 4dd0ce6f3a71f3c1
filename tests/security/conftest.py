from __future__ import annotations

import pytest

from tests.apikeys.conftest import ApiClient, Key, issue_key


@pytest.fixture
def key(reseller_with_user) -> Key:
    reseller, user = reseller_with_user
    return issue_key(reseller, user)


@pytest.fixture
def api(key) -> ApiClient:
    return ApiClient(key)

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from tests.factories import (
    PASSWORD,
    ApprovedResellerFactory,
    ChannelFactory,
    ListingFactory,
    ProductFactory,
    StaffFactory,
    UserFactory,
)

# localstripe (a local Stripe server) and its fixtures, for the payments and e2e tests.
pytest_plugins = ["tests.payments.localstripe"]

ROOT = Path(__file__).resolve().parent.parent
IS_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "worker" in item.keywords and not settings.CELERY_BROKER_URL:
            item.add_marker(pytest.mark.skip(reason="needs a Redis broker (set REDIS_URL)"))


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at production strength costs ~0.3 s per user; tests create hundreds of users."""
    from django.test.utils import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    yield
    fast.disable()


@pytest.fixture(autouse=True)
def _eager_celery_unless_worker_test(request):
    """Tasks run in-process in every test except those that exercise the real worker."""
    eager = "worker" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def channel(db):
    return ChannelFactory(name="Retail", slug="retail", is_default=True)


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.com")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def make_reseller_user(**reseller_fields):
    reseller = ApprovedResellerFactory(**reseller_fields)
    user = UserFactory(reseller=reseller, email=f"user-of-{reseller.email}")
    return reseller, user


@pytest.fixture
def reseller_with_user(db, channel):
    return make_reseller_user(channel=channel)


@pytest.fixture
def reseller(reseller_with_user):
    return reseller_with_user[0]


@pytest.fixture
def reseller_client(client, reseller_with_user):
    client.force_login(reseller_with_user[1])
    return client


@pytest.fixture
def other_reseller_with_user(db, channel):
    return make_reseller_user(channel=channel, company_name="Other Co")


@pytest.fixture
def listing(channel):
    return ListingFactory(channel=channel, product=ProductFactory(sku="MUG-1", weight="1.000"))


@pytest.fixture
def listings(channel):
    return [
        ListingFactory(channel=channel, product=ProductFactory(sku=f"SKU-{n}"), price=f"{n}.50")
        for n in range(1, 4)
    ]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker, in its own process, talking to the test database and Redis."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a Redis broker (set REDIS_URL)")
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if IS_POSTGRES
        else f"sqlite:///{database['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.CELERY_BROKER_URL}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=0.5)
        if replies:
            break
        if process.poll() is not None:
            pytest.fail("the Celery worker exited at start-up")
    else:
        process.kill()
        pytest.fail("the Celery worker did not answer a ping within 30 s")
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def broker_unreachable():
    """Really publish (not eagerly) to a port where nothing listens, as during a broker outage.

    Returns a context manager. The app caches its connection and producer pools, so the
    outage starts from fresh ones (as a forked process would) and the old ones come back after.
    """
    from contextlib import contextmanager

    @contextmanager
    def outage():
        conf, amqp = celery_app.conf, celery_app.amqp
        previous = (conf.task_always_eager, conf.broker_url, conf.broker_write_url)
        pools = (celery_app._pool, amqp._producer_pool)
        conf.task_always_eager = False
        conf.broker_url = conf.broker_write_url = "redis://127.0.0.1:9/0"
        celery_app._pool = amqp._producer_pool = None
        try:
            yield
        finally:
            if celery_app._pool is not None:
                celery_app._pool.force_close_all()
            conf.task_always_eager, conf.broker_url, conf.broker_write_url = previous
            celery_app._pool, amqp._producer_pool = pools

    return outage


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()

"""Export files in an S3-compatible bucket (django-storages), against moto's S3 server running
on 127.0.0.1 — a real HTTP endpoint, as MinIO or R2 would be."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from exports.choices import ExportStatus
from exports.models import ExportJob, export_storage
from exports.tasks import delete_expired_exports
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="portal-exports")
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "portal-exports",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "exports",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    settings.EXPORT_BACKGROUND_ROWS = 1
    yield client
    server.stop()


def keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket="portal-exports")
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_background_export_is_stored_in_the_bucket_and_downloaded_from_it(
    staff_client, reseller, s3_bucket, django_capture_on_commit_callbacks
):
    for _ in range(2):
        OrderLineFactory(order=OrderFactory(reseller=reseller), sku="S3-SKU")

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "csv"}))

    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    assert keys(s3_bucket) == [f"exports/{job.file.name}"]
    download = staff_client.get(reverse("backoffice:export_download", args=[job.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert [row["SKU"] for row in csv.DictReader(io.StringIO(body))] == ["S3-SKU", "S3-SKU"]

    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.finished_at)
    assert delete_expired_exports() == 1
    assert keys(s3_bucket) == []
    assert not export_storage().exists(job.file.name)


def test_the_bucket_is_configured_from_the_environment():
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['exports']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EXPORTS_S3_BUCKET": "acme-exports",
        "EXPORTS_S3_ENDPOINT_URL": "https://minio.internal:9000",
    }
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    configured = json.loads(completed.stdout.strip().splitlines()[-1])
    assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
    assert configured["OPTIONS"]["bucket_name"] == "acme-exports"
    assert configured["OPTIONS"]["endpoint_url"] == "https://minio.internal:9000"
    assert configured["OPTIONS"]["default_acl"] == "private"

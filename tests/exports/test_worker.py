"""A background export through the real broker and a real Celery worker process."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from config.celery import app as celery_app
from exports.choices import ExportStatus
from exports.models import ExportJob, export_storage
from tests.conftest import wait_for
from tests.factories import OrderFactory, OrderLineFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_written_by_a_real_worker_and_downloaded(
    staff_client, reseller, settings, celery_worker_process
):
    assert celery_app.conf.task_always_eager is False
    settings.EXPORT_BACKGROUND_XLSX_ROWS = 5
    for _ in range(4):
        order = OrderFactory(reseller=reseller)
        for index in range(3):
            OrderLineFactory(order=order, sku=f"W-{order.pk}-{index}")

    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "xlsx"}))

    job = ExportJob.objects.get()
    assert response.status_code == 302
    done = wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).exists(),
        timeout=60,
    )
    job.refresh_from_db()
    assert done, f"the worker did not finish the export: {job.status} {job.error}"
    try:
        assert (job.rows_done, job.rows_total, job.attempt) == (12, 12, 1)
        download = staff_client.get(reverse("backoffice:export_download", args=[job.pk]))
        assert download.status_code == 200
        workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        assert len(list(workbook["Lines"].iter_rows())) == 1 + 12
        assert len(list(workbook["Orders"].iter_rows())) == 1 + 4
    finally:
        export_storage().delete(job.file.name)

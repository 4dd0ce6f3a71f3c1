"""The background export page in Chromium: the bar advances from the JSON status view and the
download link appears when the job is done, without reloading the page."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from exports.choices import ExportStatus
from exports.models import ExportJob, export_storage
from tests.factories import PASSWORD, StaffFactory

from .conftest import assert_no_serious_axe_violations, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_advances_and_the_download_link_appears(new_page, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    staff = StaffFactory(email="staff@example.com")
    job = ExportJob.objects.create(
        requested_by=staff,
        audience="backoffice",
        format="csv",
        status=ExportStatus.RUNNING,
        rows_total=200_000,
        rows_done=20_000,
        filename="all-orders-2026-12-02.csv",
    )
    page = new_page(width=390, height=800)

    log_in(page, "staff@example.com", PASSWORD)
    page.goto(f"/backoffice/exports/{job.pk}/")
    bar = page.get_by_label("Progress")
    assert bar.get_attribute("value") == "10"
    assert page.get_by_role("link", name="Download all-orders-2026-12-02.csv").is_hidden()

    ExportJob.objects.filter(pk=job.pk).update(rows_done=150_000)
    page.get_by_text("150,000 of 200,000 order lines").wait_for()
    assert bar.get_attribute("value") == "75"

    name = export_storage().save(f"{job.pk}/1/{job.filename}", ContentFile(b"\xef\xbb\xbfa,b\r\n"))
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, file=name, rows_done=200_000, expires_at=timezone.now()
    )
    link = page.get_by_role("link", name="Download all-orders-2026-12-02.csv")
    link.wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_axe_violations(page)
    screenshot(page, "export-progress-done")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "all-orders-2026-12-02.csv"

"""Large exports run in the background: a job row, a progress page, a private stored file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports import services
from exports.choices import ExportStatus
from exports.models import ExportJob, export_storage
from exports.tasks import delete_expired_exports, run_export_job
from orders import export
from tests.conftest import make_reseller_user
from tests.factories import OrderFactory, OrderLineFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_files(settings, tmp_path):
    """Every test stores its export files in its own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "exports"},
        },
    }
    settings.EXPORT_BACKGROUND_XLSX_ROWS = 3
    settings.EXPORT_BACKGROUND_ROWS = 6
    return tmp_path / "exports"


def make_orders(reseller, count: int, *, lines: int = 2, **fields) -> list:
    orders = []
    for _ in range(count):
        order = OrderFactory(reseller=reseller, **fields)
        for index in range(lines):
            OrderLineFactory(order=order, sku=f"S-{order.pk}-{index}")
        orders.append(order)
    return orders


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def start_export(client, url: str, django_capture_on_commit_callbacks, params=None):
    """GET an export; the job's task runs eagerly when the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, params or {})
    return response


def test_a_small_export_stays_an_instant_download(staff_client, reseller):
    make_orders(reseller, 1, lines=3)  # three line rows: at the XLSX threshold, not over it

    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "xlsx"}))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()


def test_a_large_xlsx_runs_in_the_background_and_the_requester_downloads_it(
    staff_client, staff, reseller, django_capture_on_commit_callbacks, export_files
):
    make_orders(reseller, 2, lines=2, status="open")
    make_orders(reseller, 1, lines=2, status="shipped")
    url = reverse("backoffice:reseller_orders_export", kwargs={"pk": reseller.pk, "fmt": "xlsx"})

    response = start_export(
        staff_client, url, django_capture_on_commit_callbacks, {"status": "open", "page": "2"}
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("backoffice:export_detail", args=[job.pk])
    assert job.requested_by == staff and job.reseller == reseller
    assert job.filters == {"status": ["open"]}
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, 4, 4)
    assert job.expires_at - job.finished_at == timedelta(days=7)

    page = staff_client.get(response.url).content.decode()
    download_url = reverse("backoffice:export_download", args=[job.pk])
    assert f'href="{download_url}"' in page
    assert "Only you can download this file" in page
    state = staff_client.get(reverse("backoffice:export_status", args=[job.pk])).json()
    assert state == {
        "status": "done",
        "label": "Ready to download",
        "rows_done": 4,
        "rows_total": 4,
        "percent": 100,
        "download_url": download_url,
    }

    download = staff_client.get(download_url)
    assert download.status_code == 200
    assert job.filename in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    workbook = load_workbook(io.BytesIO(body_of(download)))
    assert len(list(workbook["Lines"].iter_rows())) == 1 + 4
    assert len(list(workbook["Orders"].iter_rows())) == 1 + 2
    assert len(stored_files(export_files)) == 1

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert f"http://127.0.0.1:8000{response.url}" in mail.outbox[0].body


def test_a_very_large_csv_runs_in_the_background_too(
    reseller_client, reseller, django_capture_on_commit_callbacks
):
    make_orders(reseller, 4, lines=2)  # eight rows, over EXPORT_BACKGROUND_ROWS

    response = start_export(
        reseller_client,
        reverse("portal:order_export", kwargs={"fmt": "csv"}),
        django_capture_on_commit_callbacks,
    )

    job = ExportJob.objects.get()
    assert response.url == reverse("portal:export_detail", args=[job.pk])
    assert job.audience == "portal" and job.reseller == reseller
    download = reseller_client.get(reverse("portal:export_download", args=[job.pk]))
    rows = list(csv.DictReader(io.StringIO(body_of(download).decode("utf-8-sig"))))
    assert len(rows) == 8
    assert {row["Reseller"] for row in rows} == {reseller.company_name}


def test_only_the_requester_can_see_or_download_a_job(
    client, staff_client, reseller, django_capture_on_commit_callbacks
):
    make_orders(reseller, 3)
    start_export(
        staff_client,
        reverse("backoffice:order_export", kwargs={"fmt": "xlsx"}),
        django_capture_on_commit_callbacks,
    )
    job = ExportJob.objects.get()
    urls = [
        reverse(f"backoffice:{name}", args=[job.pk])
        for name in ("export_detail", "export_status", "export_download")
    ]
    assert all(staff_client.get(url).status_code == 200 for url in urls)

    client.force_login(StaffFactory(email="colleague@example.com"))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # The same job through the portal's URLs is not the staff member's either.
    client.force_login(job.requested_by)
    portal = reverse("portal:export_download", args=[job.pk])
    assert client.get(portal).status_code == 403  # staff have no portal


def test_a_reseller_cannot_reach_another_resellers_export(
    client, reseller, other_reseller_with_user, django_capture_on_commit_callbacks
):
    _, owner = make_reseller_user(channel=reseller.channel, company_name="Owner Co")
    make_orders(owner.reseller, 4)
    client.force_login(owner)
    start_export(
        client,
        reverse("portal:order_export", kwargs={"fmt": "csv"}),
        django_capture_on_commit_callbacks,
    )
    job = ExportJob.objects.get()

    client.force_login(other_reseller_with_user[1])
    for name in ("export_detail", "export_status", "export_download"):
        assert client.get(reverse(f"portal:{name}", args=[job.pk])).status_code == 404, name
    # Staff cannot open a reseller's job through the back office either.
    client.force_login(StaffFactory(email="boss@example.com"))
    assert client.get(reverse("backoffice:export_download", args=[job.pk])).status_code == 404


def test_the_page_shows_progress_while_the_job_runs(staff_client, staff, reseller):
    make_orders(reseller, 2)
    job = ExportJob.objects.create(
        requested_by=staff,
        audience="backoffice",
        format="xlsx",
        status=ExportStatus.RUNNING,
        rows_total=400,
        rows_done=100,
        filename="all-orders.xlsx",
    )

    page = staff_client.get(reverse("backoffice:export_detail", args=[job.pk])).content.decode()

    assert '<progress id="export-progress" max="100" value="25">' in page
    assert "100 of 400 order lines" in page
    assert "js/export_progress.js" in page
    assert staff.email in page  # where the link will be sent
    state = staff_client.get(reverse("backoffice:export_status", args=[job.pk])).json()
    assert (state["percent"], state["download_url"]) == (25, None)
    assert staff_client.get(reverse("backoffice:export_download", args=[job.pk])).status_code == 404


def test_the_task_reports_progress_as_it_writes(staff, reseller, monkeypatch):
    make_orders(reseller, 5, lines=2)
    monkeypatch.setattr(export, "PROGRESS_EVERY", 3)
    job = ExportJob.objects.create(
        requested_by=staff, audience="backoffice", format="csv", rows_total=10, filename="a.csv"
    )

    with CaptureQueriesContext(connection) as queries:
        assert run_export_job(job.pk) is True

    reported = [q["sql"] for q in queries if "rows_done" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(reported) >= 3  # the claim, progress every 3 rows (4, 8), the finish


def test_running_the_task_twice_leaves_one_file_and_one_email(
    staff, reseller, export_files, django_capture_on_commit_callbacks
):
    make_orders(reseller, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(
            requested_by=staff,
            audience="backoffice",
            reseller=None,
            fmt="csv",
            filters={},
            rows_total=4,
        )

    assert run_export_job(job.pk) is False  # already done: a redelivered task does nothing
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempt == 1
    assert len(stored_files(export_files)) == 1
    assert len(mail.outbox) == 1


def test_a_run_killed_half_way_is_taken_over_and_its_leftovers_removed(
    staff, reseller, export_files
):
    make_orders(reseller, 2)
    job = ExportJob.objects.create(
        requested_by=staff,
        audience="backoffice",
        format="xlsx",
        rows_total=4,
        filename="all-orders.xlsx",
        # What a worker killed mid-file leaves: a running job and a partial upload.
        status=ExportStatus.RUNNING,
        attempt=1,
        rows_done=2,
    )
    export_storage().save(f"{job.pk}/1/all-orders.xlsx", ContentFile(b"PK\x03\x04 truncated"))

    assert run_export_job(job.pk) is True

    job.refresh_from_db()
    assert (job.status, job.attempt) == (ExportStatus.DONE, 2)
    files = stored_files(export_files)
    assert [path.relative_to(export_files).as_posix() for path in files] == [job.file.name]
    assert job.file.name == f"{job.pk}/2/all-orders.xlsx"
    load_workbook(files[0])  # complete and readable


def test_a_run_overtaken_by_a_newer_attempt_throws_its_file_away(
    staff, reseller, export_files, monkeypatch
):
    make_orders(reseller, 3)
    job = ExportJob.objects.create(
        requested_by=staff, audience="backoffice", format="csv", rows_total=6, filename="a.csv"
    )
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    original = export._ProgressEvery.add

    def redelivered_meanwhile(self, rows):
        # The broker handed the task to a second worker while this one was still writing.
        ExportJob.objects.filter(pk=job.pk).update(attempt=job.attempt + 5)
        original(self, rows)

    monkeypatch.setattr(export._ProgressEvery, "add", redelivered_meanwhile)

    assert run_export_job(job.pk) is False

    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING  # the newer attempt will finish it
    assert not job.file.name
    assert stored_files(export_files) == []
    assert mail.outbox == []


def test_a_failing_export_is_marked_failed_with_nothing_stored(
    staff_client, staff, export_files, monkeypatch
):
    job = ExportJob.objects.create(
        requested_by=staff,
        audience="backoffice",
        format="csv",
        rows_total=6,
        filename="a.csv",
        filters={"status": ["no-such-status"]},
    )

    assert run_export_job(job.pk) is False

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "no longer valid" in job.error
    assert stored_files(export_files) == []
    page = staff_client.get(reverse("backoffice:export_detail", args=[job.pk])).content.decode()
    assert "This export failed" in page


def test_files_expire_after_seven_days_and_their_links_say_so(
    staff_client, staff, reseller, export_files, django_capture_on_commit_callbacks
):
    make_orders(reseller, 2)
    start_export(
        staff_client,
        reverse("backoffice:order_export", kwargs={"fmt": "xlsx"}),
        django_capture_on_commit_callbacks,
    )
    job = ExportJob.objects.get()
    fresh = ExportJob.objects.create(
        requested_by=staff, audience="backoffice", format="csv", rows_total=1, filename="b.csv"
    )
    assert delete_expired_exports() == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert delete_expired_exports() == 1
    assert delete_expired_exports() == 0

    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file.name
    assert stored_files(export_files) == []
    assert ExportJob.objects.get(pk=fresh.pk).status == ExportStatus.QUEUED
    response = staff_client.get(reverse("backoffice:export_download", args=[job.pk]))
    assert response.status_code == 410
    assert "This export has expired" in response.content.decode()


def test_the_export_view_query_count_does_not_grow_for_background_jobs(
    staff_client, reseller, django_assert_max_num_queries
):
    url = reverse("backoffice:order_export", kwargs={"fmt": "xlsx"})
    make_orders(reseller, 2)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url)
    make_orders(reseller, 30)
    with django_assert_max_num_queries(len(small)):
        assert staff_client.get(url).status_code == 302

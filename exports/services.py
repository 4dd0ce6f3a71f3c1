"""Background exports: create the job, run it exactly once in effect, expire its file.

A job is run by `tasks.run_export_job`, which Celery may deliver more than once (acks_late: a
worker killed half-way gets the task redelivered). Each run *claims* the job with a
conditional UPDATE that bumps `attempt`; the file is written to a temporary file first and
stored under a name that includes the attempt, and only the run whose attempt is still the
latest may mark the job done. The loser deletes what it stored, the winner deletes anything
an earlier (killed) run left behind, so a job ends with exactly one complete file or none.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from core.tasks import enqueue_on_commit
from orders.export import csv_chunks, export_filename, write_xlsx
from orders.filters import order_filter_for
from orders.selectors import order_list
from resellers.models import Reseller

from . import tasks
from .choices import RUNNABLE, ExportAudience, ExportFormat, ExportStatus
from .models import ExportJob, export_storage

logger = logging.getLogger(__name__)


def export_runs_in_background(*, fmt: str, rows: int) -> bool:
    """XLSX over EXPORT_BACKGROUND_XLSX_ROWS line rows, or any export over
    EXPORT_BACKGROUND_ROWS, can outlive a web request (gunicorn's timeout is 120 s)."""
    if rows > settings.EXPORT_BACKGROUND_ROWS:
        return True
    return fmt == ExportFormat.XLSX and rows > settings.EXPORT_BACKGROUND_XLSX_ROWS


@transaction.atomic
def export_job_create(
    *,
    requested_by: User,
    audience: str,
    reseller: Reseller | None,
    fmt: str,
    filters: QueryDict | Mapping[str, list[str]],
    rows_total: int,
) -> ExportJob:
    if audience == ExportAudience.PORTAL and reseller is None:
        raise ValueError("A portal export is always one reseller's.")
    query = filters.lists() if isinstance(filters, QueryDict) else filters.items()
    job = ExportJob.objects.create(
        requested_by=requested_by,
        audience=audience,
        reseller=reseller,
        format=fmt,
        filters={key: list(values) for key, values in query if key != "page"},
        rows_total=rows_total,
        filename=export_filename(reseller=reseller, extension=fmt),
    )
    enqueue_on_commit(tasks.run_export_job, job.pk)
    return job


def _job_orders(job: ExportJob):
    query = QueryDict(mutable=True)
    for key, values in job.filters.items():
        query.setlist(key, values)
    filter_class = order_filter_for(reseller=job.reseller)
    filterset = filter_class(query, queryset=order_list(reseller=job.reseller))
    if not filterset.is_valid():
        # The filters were valid when the job was created; a choice removed since could not.
        raise ValueError(f"the saved filters are no longer valid: {dict(filterset.errors)}")
    return filterset.qs


def _job_directory(job_id: int) -> str:
    return f"{job_id}"


def export_job_run(*, job_id: int) -> bool:
    """Write the job's file; True when this run finished it. Safe to run twice or at once."""
    # Claim: a conditional UPDATE, so a finished, failed or expired job is never run again,
    # and every run gets its own attempt number (the race: a redelivered task starting while
    # the first run is still writing).
    claimed = ExportJob.objects.filter(pk=job_id, status__in=RUNNABLE).update(
        status=ExportStatus.RUNNING,
        attempt=F("attempt") + 1,
        rows_done=0,
        started_at=timezone.now(),
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("reseller").get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job_id, attempt=job.attempt)

    def progress(rows: int) -> None:
        mine.filter(status=ExportStatus.RUNNING).update(rows_done=rows)

    storage = export_storage()
    stored = ""
    try:
        orders = _job_orders(job)
        with tempfile.TemporaryFile(prefix="orders-export-") as temporary:
            if job.format == ExportFormat.CSV:
                for chunk in csv_chunks(orders, progress=progress):
                    temporary.write(chunk)
            else:
                write_xlsx(orders, temporary, progress=progress)
            temporary.seek(0)
            # Stored only once complete, under this attempt's own name.
            stored = storage.save(
                f"{_job_directory(job.pk)}/{job.attempt}/{job.filename}", File(temporary)
            )
        now = timezone.now()
        won = mine.filter(status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            file=stored,
            rows_done=F("rows_total"),
            finished_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_FILE_DAYS),
        )
    except Exception as error:
        logger.exception("export job=%s attempt=%s failed", job_id, job.attempt)
        if stored:
            storage.delete(stored)
        mine.filter(status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED,
            error=f"{error.__class__.__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        return False
    if not won:
        # A later attempt took the job over (or it was expired meanwhile): its file wins.
        storage.delete(stored)
        return False
    _delete_other_attempts(job.pk, keep=stored)
    tasks.send_export_ready.delay(job.pk)
    return True


def _delete_other_attempts(job_id: int, *, keep: str) -> None:
    """Remove what killed earlier runs of this job may have left in storage."""
    storage = export_storage()
    directory = _job_directory(job_id)
    try:
        attempts, _ = storage.listdir(directory)
    except FileNotFoundError:
        return
    for attempt in attempts:
        folder = f"{directory}/{attempt}"
        for name in storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path != keep:
                storage.delete(path)


def export_jobs_expire() -> int:
    """Delete the files of exports older than EXPORT_FILE_DAYS; their links then say so."""
    storage = export_storage()
    expired = 0
    due = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=timezone.now())
    for job in due.only("pk", "file"):
        # Conditional: an expiry sweep running twice deletes each file once.
        if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, file=""
        ):
            if job.file.name:
                storage.delete(job.file.name)
            expired += 1
    return expired

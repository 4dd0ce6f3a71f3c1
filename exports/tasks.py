from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .choices import ExportStatus
from .models import ExportJob


# Idempotent: the conditional claim in the service makes a redelivered task either take the
# job over (its run was killed) or do nothing (the job is already finished).
@shared_task(acks_late=True)
def run_export_job(job_id: int) -> bool:
    from . import services

    return services.export_job_run(job_id=job_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_export_ready(job_id: int) -> None:
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.DONE:
        return
    body = render_to_string(
        "emails/export_ready.txt",
        {"job": job, "link": f"{settings.SITE_URL.rstrip('/')}{job.get_absolute_url()}"},
    )
    send_mail(f"Your export is ready: {job.filename}", body, None, [job.requested_by.email])


@shared_task(acks_late=True)
def delete_expired_exports() -> int:
    from . import services

    return services.export_jobs_expire()

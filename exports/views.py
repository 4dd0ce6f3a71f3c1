"""Order downloads: instant for small exports, a background job with a progress page for large
ones.

Each export view sits next to its list page (`…/orders/` → `…/orders/export.csv`) and reads
the same query string through the same OrderFilter over the same selector, so the file holds
the filtered orders and nothing else. Staff export everyone's orders or one reseller's; a
reseller exports its own through `portal_view`, with the same code.

An export that can outlive a web request (see `services.export_runs_in_background`) becomes an
ExportJob instead: the request redirects to the job's page, whose progress bar polls a small
JSON status view. Job pages, status and downloads answer only the user who asked (404 to
anyone else, staff included), so no one can fetch another person's file by guessing an id.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.access import portal_view, staff_required
from core.views import filter_queryset
from orders.export import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_chunks,
    export_filename,
    export_row_count,
    xlsx_file,
)
from orders.export_copy import copy_available, copy_csv_chunks
from orders.filters import order_filter_for
from orders.models import Order
from orders.selectors import order_list
from resellers.models import Reseller

from . import services
from .choices import ExportAudience, ExportStatus
from .models import ExportJob, export_storage

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


@staff_required
@require_GET
def order_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Back office: every reseller's orders, as filtered on /backoffice/orders/."""
    return export_response(
        request,
        orders=order_list(reseller=None),
        reseller=None,
        fmt=fmt,
        audience=ExportAudience.BACKOFFICE,
    )


@staff_required
@require_GET
def reseller_orders_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Back office: one reseller's orders, as filtered on its Orders tab."""
    reseller = get_object_or_404(Reseller, pk=pk)
    return export_response(
        request,
        orders=order_list(reseller=reseller),
        reseller=reseller,
        fmt=fmt,
        audience=ExportAudience.BACKOFFICE,
    )


@require_GET
@portal_view
def portal_order_export(request: HttpRequest, fmt: str, *, reseller: Reseller) -> HttpResponse:
    """Portal: the logged-in reseller's own orders, as filtered on /portal/orders/."""
    return export_response(
        request,
        orders=order_list(reseller=reseller),
        reseller=reseller,
        fmt=fmt,
        audience=ExportAudience.PORTAL,
    )


def export_response(
    request: HttpRequest,
    *,
    orders: QuerySet[Order],
    reseller: Reseller | None,
    fmt: str,
    audience: str,
) -> HttpResponse:
    # The same filtering as the list page, so the download matches the screen.
    filterset, filtered = filter_queryset(
        request, queryset=orders, filterset_class=order_filter_for(reseller=reseller)
    )
    if not filterset.is_valid():
        problems = "; ".join(
            f"{filterset.form.fields[name].label if name in filterset.form.fields else name}: "
            f"{' '.join(errors)}"
            for name, errors in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            f"The export filters are not valid ({problems}). "
            "Correct them on the orders page and export again.",
            content_type="text/plain; charset=utf-8",
        )
    rows = export_row_count(filtered)
    if services.export_runs_in_background(fmt=fmt, rows=rows):
        job = services.export_job_create(
            requested_by=request.user,
            audience=audience,
            reseller=reseller,
            fmt=fmt,
            filters=request.GET,
            rows_total=rows,
        )
        return redirect(job)
    filename = export_filename(reseller=reseller, extension=fmt)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        # Streams straight from the database: nothing is queried before the first chunk. On
        # PostgreSQL, COPY writes the very same file at about half the cost (orders/export_copy).
        chunks = copy_csv_chunks(filtered) if copy_available() else csv_chunks(filtered)
        response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
    else:
        # The workbook is written to a temporary file first (a zip cannot be streamed while
        # openpyxl is still adding to it); FileResponse sends it in blocks and closing the
        # response deletes the file.
        response = FileResponse(
            xlsx_file(filtered),
            as_attachment=True,
            filename=filename,
            content_type=XLSX_CONTENT_TYPE,
        )
    # Order data is private: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


# --- background jobs ------------------------------------------------------------------------


def _own_job(request: HttpRequest, pk: int, audience: str) -> ExportJob:
    """The job, only for the user who asked for it from this site; 404 for anyone else."""
    return get_object_or_404(
        ExportJob.objects.select_related("reseller"),
        pk=pk,
        requested_by=request.user,
        audience=audience,
    )


def _status(job: ExportJob) -> dict:
    return {
        "status": job.status,
        "label": job.get_status_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "download_url": (
            f"{job.get_absolute_url()}download/" if job.status == ExportStatus.DONE else None
        ),
    }


def _page_context(job: ExportJob, audience: str) -> dict:
    return {
        "job": job,
        "state": _status(job),
        "orders_url": f"{audience}:order_list",
        "days": settings.EXPORT_FILE_DAYS,
    }


def _detail(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    job = _own_job(request, pk, audience)
    return render(
        request,
        "exports/detail.html",
        _page_context(job, audience),
    )


@never_cache
def _status_json(request: HttpRequest, pk: int, audience: str) -> JsonResponse:
    return JsonResponse(_status(_own_job(request, pk, audience)))


def _download(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    job = _own_job(request, pk, audience)
    if job.status == ExportStatus.EXPIRED:
        return render(request, "exports/detail.html", _page_context(job, audience), status=410)
    if job.status != ExportStatus.DONE or not job.file.name:
        raise Http404("This export is not ready yet.")
    try:
        # Through the configured storage itself (not the field's copy of it, which was fixed
        # when the model was imported), so a storage configured in settings is always used.
        handle = export_storage().open(job.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404("The export file is gone; export again from the orders page.") from missing
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def backoffice_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, ExportAudience.BACKOFFICE)


@staff_required
@require_GET
def backoffice_export_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_json(request, pk, ExportAudience.BACKOFFICE)


@staff_required
@require_GET
def backoffice_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, ExportAudience.BACKOFFICE)


@require_GET
@portal_view
def portal_export_detail(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _detail(request, pk, ExportAudience.PORTAL)


@require_GET
@portal_view
def portal_export_status(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _status_json(request, pk, ExportAudience.PORTAL)


@require_GET
@portal_view
def portal_export_download(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _download(request, pk, ExportAudience.PORTAL)

"""CSV and XLSX downloads of exactly the orders a list page shows.

Each export view sits next to its list page (`…/orders/` → `…/orders/export.csv`) and reads
the same query string through the same OrderFilter over the same selector, so the file holds
the filtered orders and nothing else. Staff export everyone's orders or one reseller's; a
reseller exports its own through `portal_view`, with the same code.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.access import portal_view, staff_required
from core.views import filter_queryset
from orders.export import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_chunks,
    export_filename,
    xlsx_file,
)
from orders.filters import OrderFilter
from orders.models import Order
from orders.selectors import order_list
from resellers.models import Reseller


@staff_required
@require_GET
def order_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Back office: every reseller's orders, as filtered on /backoffice/orders/."""
    return export_response(request, orders=order_list(reseller=None), reseller=None, fmt=fmt)


@staff_required
@require_GET
def reseller_orders_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Back office: one reseller's orders, as filtered on its Orders tab."""
    reseller = get_object_or_404(Reseller, pk=pk)
    return export_response(
        request, orders=order_list(reseller=reseller), reseller=reseller, fmt=fmt
    )


@require_GET
@portal_view
def portal_order_export(request: HttpRequest, fmt: str, *, reseller: Reseller) -> HttpResponse:
    """Portal: the logged-in reseller's own orders, as filtered on /portal/orders/."""
    return export_response(
        request, orders=order_list(reseller=reseller), reseller=reseller, fmt=fmt
    )


def export_response(
    request: HttpRequest, *, orders: QuerySet[Order], reseller: Reseller | None, fmt: str
) -> HttpResponse:
    # The same filtering as the list page, so the download matches the screen.
    filterset, filtered = filter_queryset(request, queryset=orders, filterset_class=OrderFilter)
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
    filename = export_filename(reseller=reseller, extension=fmt)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        # Streams straight from the database cursor: nothing is queried before the first chunk.
        response = StreamingHttpResponse(csv_chunks(filtered), content_type=CSV_CONTENT_TYPE)
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

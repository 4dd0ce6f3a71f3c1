from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

PAGE_SIZE = 25


def filter_queryset(request: HttpRequest, *, queryset: QuerySet, filterset_class):
    """Apply a FilterSet to the request's query string: (filterset, filtered queryset).

    Invalid filter input gives no rows, never a partly filtered list; the caller shows the
    form's errors (list pages) or refuses (exports). List pages and exports both go through
    here, so a download always holds exactly what the page shows.
    """
    filterset = filterset_class(request.GET, queryset=queryset)
    return filterset, (filterset.qs if filterset.is_valid() else queryset.none())


def filtered_list(
    request: HttpRequest,
    *,
    queryset: QuerySet,
    filterset_class,
    template_name: str,
    context: dict | None = None,
    page_size: int = PAGE_SIZE,
):
    """The one list view: a scoped queryset, a FilterSet over it, and a page of results."""
    filterset, results = filter_queryset(
        request, queryset=queryset, filterset_class=filterset_class
    )
    paginator = Paginator(results, page_size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Empty states tell "nothing yet" from "nothing matches these filters".
    is_filtered = any(value for key, value in query.items() if key != "ordering")
    return render(
        request,
        template_name,
        {
            "filter": filterset,
            "page_obj": page,
            "object_list": page.object_list,
            "querystring": query.urlencode(),
            "is_filtered": is_filtered,
            **(context or {}),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: the database and the broker answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["database"] = f"error: {error.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "eager (no broker configured)"
    else:
        try:
            with celery_app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" or value.startswith("eager") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )

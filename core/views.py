from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PAGE_SIZE = 25


def filtered_list(
    request: HttpRequest,
    *,
    queryset,
    filterset_class,
    template_name: str,
    context: dict | None = None,
    page_size: int = PAGE_SIZE,
    filterset_kwargs: dict | None = None,
):
    """The one list view: a scoped queryset, a FilterSet over it, and a page of results.

    The same FilterSet drives exports, so what staff see is exactly what they download.
    """
    filterset = filterset_class(request.GET or None, queryset=queryset, **(filterset_kwargs or {}))
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        results = queryset.none()
    paginator = Paginator(results, page_size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template_name,
        {
            "filter": filterset,
            "page_obj": page,
            "object_list": page.object_list,
            "querystring": query.urlencode(),
            **(context or {}),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: the database and the broker answer."""
    from django.conf import settings

    from config.celery import app

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
            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" or value.startswith("eager") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )

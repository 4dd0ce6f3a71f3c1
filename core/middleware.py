from __future__ import annotations

from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, HttpResponseBase

# The one page allowed inline script and style: django-ninja's Swagger UI bootstraps itself
# with an inline <script>. The admin is not on this list — it runs with the strict policy.
RELAXED_CSP_PATH_PREFIXES = ("/api/v1/docs",)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: the strict CONTENT_SECURITY_POLICY from settings everywhere,
    plus 'unsafe-inline' scripts and styles only under RELAXED_CSP_PATH_PREFIXES."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(RELAXED_CSP_PATH_PREFIXES):
            parts.update = {
                **(parts.update or {}),
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
            }
        return parts


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

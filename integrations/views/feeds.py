"""The feed URL, `/feeds/<token>/products.csv`: no session, the token in the path is the key."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .. import credentials, feed, selectors, services


@require_safe
def product_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.feed_token_by_plaintext_hash(token_hash=credentials.feed_token_hash(token))
    if found is None:
        # Unknown, revoked and rotated-away tokens look the same: nothing to learn by probing.
        return HttpResponse(
            "This feed URL is not valid (it may have been rotated or revoked). Copy the current "
            "one from the Catalog page of the portal.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    reseller = found.reseller
    if not reseller.may_order:
        return HttpResponse(
            f"The product feed is off: this account is {reseller.get_status_display().lower()}.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    services.feed_token_mark_fetched(token=found)
    version = feed.feed_version(reseller.channel)
    # HTTP dates have whole seconds; the ETag (checked first when both are sent) tells apart
    # two changes within one second.
    last_modified = int(version.last_modified.timestamp()) if version.last_modified else None
    not_modified = get_conditional_response(request, etag=version.etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = StreamingHttpResponse(
        feed.csv_chunks(reseller.channel, byte_order_mark=False),
        content_type=feed.CSV_CONTENT_TYPE,
    )
    response["ETag"] = version.etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    # Private: the body is one reseller's prices; shared caches must not keep it.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response

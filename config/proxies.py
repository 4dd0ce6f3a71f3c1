"""How the client's IP address is read, from the number of reverse proxies in front of Django."""

from __future__ import annotations


def client_ip_settings(trusted_proxy_count: int) -> dict[str, object]:
    """django-axes' django-ipware settings for `trusted_proxy_count` proxies.

    0: Django faces the clients; REMOTE_ADDR is the client. N > 0: each proxy appends the
    address it received the request from to X-Forwarded-For, so the client is the N-th entry
    from the right; anything further left was written by the client and is not trusted.
    django-ipware's proxy count is the proxies listed in the header, one less than N (the
    last proxy is REMOTE_ADDR, not in the header).
    """
    if trusted_proxy_count < 0:
        raise ValueError("TRUSTED_PROXY_COUNT must be 0 or more.")
    if trusted_proxy_count == 0:
        return {
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
            "AXES_IPWARE_PROXY_COUNT": None,
        }
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR",),
        "AXES_IPWARE_PROXY_COUNT": trusted_proxy_count - 1,
    }

from __future__ import annotations

portal_urlpatterns: list = []
backoffice_urlpatterns: list = []

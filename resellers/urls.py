from __future__ import annotations

from django.urls import path

from .views import backoffice, public

public_urlpatterns = [
    path("", public.landing, name="home"),
    path("signup/", public.signup, name="signup"),
]

# The portal home and the reseller page show other apps' data: they live in `pages`.
portal_urlpatterns: list = []

backoffice_urlpatterns = [
    path("resellers/", backoffice.reseller_list_view, name="reseller_list"),
    path("resellers/bulk/", backoffice.reseller_bulk_decide, name="reseller_bulk_decide"),
    path("resellers/<int:pk>/edit/", backoffice.reseller_edit, name="reseller_edit"),
    path("resellers/<int:pk>/approve/", backoffice.reseller_approve, name="reseller_approve"),
    path("resellers/<int:pk>/deny/", backoffice.reseller_deny, name="reseller_deny"),
    path("resellers/<int:pk>/suspend/", backoffice.reseller_suspend, name="reseller_suspend"),
    path(
        "resellers/<int:pk>/channel/",
        backoffice.reseller_change_channel,
        name="reseller_change_channel",
    ),
    path("resellers/<int:pk>/reinstate/", backoffice.reseller_reinstate, name="reseller_reinstate"),
    path("settings/", backoffice.portal_settings, name="settings"),
]

from __future__ import annotations

from django.urls import path

from .views import backoffice

portal_urlpatterns: list = []

backoffice_urlpatterns = [
    path("rules/", backoffice.rule_list_view, name="rule_list"),
    path("rules/new/", backoffice.rule_edit, name="rule_create"),
    path("rules/preview/", backoffice.rule_preview, name="rule_preview"),
    path("rules/<int:pk>/", backoffice.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", backoffice.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/move/", backoffice.rule_move, name="rule_move"),
    path("rules/<int:pk>/delete/", backoffice.rule_delete, name="rule_delete"),
]

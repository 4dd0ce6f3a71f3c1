from __future__ import annotations

from django.urls import path

from .views import backoffice

portal_urlpatterns: list = []

backoffice_urlpatterns = [
    path("channels/", backoffice.channel_list_view, name="channel_list"),
    path("channels/new/", backoffice.channel_edit, name="channel_create"),
    path("channels/<int:pk>/", backoffice.channel_edit, name="channel_edit"),
]

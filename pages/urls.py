from __future__ import annotations

from django.urls import path

from . import views

portal_urlpatterns = [
    path("", views.portal_home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
]

backoffice_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("resellers/<int:pk>/", views.reseller_detail, name="reseller_detail"),
]

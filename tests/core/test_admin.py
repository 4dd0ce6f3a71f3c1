from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

OUR_APPS = ["accounts", "resellers", "channels", "orders", "rules", "apikeys", "fulfilment"]


@pytest.mark.parametrize("app_label", OUR_APPS)
def test_every_model_is_in_the_django_admin(app_label):
    missing = [
        model.__name__
        for model in apps.get_app_config(app_label).get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.django_db
def test_admin_index_opens_for_a_superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200

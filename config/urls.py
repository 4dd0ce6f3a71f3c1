from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls
from api import urls as api_urls
from apikeys import urls as apikeys_urls
from channels import urls as channels_urls
from core.views import healthz
from exports import urls as exports_urls
from fulfilment import urls as fulfilment_urls
from integrations import urls as integrations_urls
from orders import urls as orders_urls
from pages import urls as pages_urls
from payments import urls as payments_urls
from resellers import urls as resellers_urls
from rules import urls as rules_urls

# Each app contributes its own portal and back-office pages; the namespaces stay one each.
DOMAIN_URLS = [
    resellers_urls,
    channels_urls,
    orders_urls,
    rules_urls,
    apikeys_urls,
    payments_urls,
    fulfilment_urls,
    integrations_urls,
    exports_urls,
    pages_urls,
]
portal_urlpatterns = [p for module in DOMAIN_URLS for p in module.portal_urlpatterns]
backoffice_urlpatterns = [p for module in DOMAIN_URLS for p in module.backoffice_urlpatterns]

urlpatterns = [
    *resellers_urls.public_urlpatterns,
    path("accounts/", include(accounts_urls)),
    path("portal/", include((portal_urlpatterns, "portal"))),
    path("backoffice/", include((backoffice_urlpatterns, "backoffice"))),
    *api_urls.urlpatterns,
    *payments_urls.public_urlpatterns,
    *integrations_urls.feed_urlpatterns,
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

"""Settings for the reseller portal, read once from the environment (django-environ).

Every value has a working default for a laptop (SQLite, eager Celery, console e-mail).
With DEBUG off the production profile applies: a real SECRET_KEY is required and the
security settings below turn on, so `manage.py check --deploy` is clean.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.proxies import client_ip_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "axes",
    "csp",
    # Serves django-ninja's Swagger UI from our own static files instead of a CDN.
    "ninja",
    "core",
    "accounts",
    "channels",
    "resellers",
    "orders",
    "rules",
    "apikeys",
    "payments",
    "fulfilment",
    "integrations",
    "api",
    # Order downloads: instant, or background jobs with stored files.
    "exports",
    # Pages composed from several apps' data (portal home, catalog, the reseller page).
    "pages",
    # Dev-only: seed_demo and seed_bench. No product app imports it.
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # AxesMiddleware must stay last: it turns a lockout into the "too many attempts" answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Lets templates/django/forms/ restyle every form field (labels without a trailing colon).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests (the dev server, the browser tests) must wait for a lock, not fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Failures count on the normalised address (NFKC + case-fold), the same key log-in matches on,
# so `Lock2@…` and `lOck2@…` share one counter.
AXES_USERNAME_CALLABLE = "accounts.normalization.lockout_username"
# How many reverse proxies (load balancers) in front of the site set X-Forwarded-* headers.
# 0, the default, means none: X-Forwarded-Proto and X-Forwarded-For are then whatever a client
# typed and are ignored (see SECURE_PROXY_SSL_HEADER below and config/proxies.py).
# The client IP half of the key: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
# address the outermost proxy saw (see config/proxies.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
vars().update(client_ip_settings(TRUSTED_PROXY_COUNT))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served: files are private and go through views that check access
# Finished background exports. Local files by default; an S3-compatible bucket (AWS, MinIO,
# R2…) through django-storages when EXPORTS_S3_BUCKET is set. Credentials come from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, which boto3 reads itself.
EXPORTS_S3_BUCKET = env.str("EXPORTS_S3_BUCKET", default="")
EXPORTS_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EXPORTS_S3_BUCKET,
            "endpoint_url": env.str("EXPORTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EXPORTS_S3_REGION", default="") or None,
            "location": env.str("EXPORTS_S3_PREFIX", default="exports"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
    if EXPORTS_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "exports", "base_url": None},
    }
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": EXPORTS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Reseller Portal <no-reply@localhost>")
# Where a reseller's reply to an e-mail goes (the Reply-To header). Empty: the e-mails carry
# no Reply-To and do not invite a reply, since DEFAULT_FROM_EMAIL may be a no-reply address.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The seller printed on every invoice (page and PDF). SUPPLIER_ADDRESS takes its lines
# separated by "|" ("1 Main St|Springfield, IL 62701|US"), since an env var has no newlines.
SUPPLIER_NAME = env.str("SUPPLIER_NAME", default="Reseller Portal Supplier")
SUPPLIER_ADDRESS = [
    line.strip() for line in env.str("SUPPLIER_ADDRESS", default="").split("|") if line.strip()
]
SUPPLIER_TAX_ID = env.str("SUPPLIER_TAX_ID", default="")
SUPPLIER_EMAIL = env.str("SUPPLIER_EMAIL", default="")
SUPPLIER_PHONE = env.str("SUPPLIER_PHONE", default="")

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Not losing work: a task is acknowledged only after it ran, and redelivered if the worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage must not hang a web request: publishing gives up quickly and the
# periodic sweeps catch up on whatever was not enqueued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # How long a task taken by a worker that then vanished (machine lost, kill -9) stays
    # invisible before Redis hands it to another worker. Longer than the slowest task.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_BEAT_SCHEDULE = {
    "activate-resellers-with-orders": {
        "task": "resellers.tasks.activate_resellers_with_orders",
        "schedule": crontab(minute="*/5"),
    },
    "retry-stale-payment-attempts": {
        "task": "payments.tasks.retry_stale_payment_attempts",
        "schedule": crontab(minute="*"),
    },
    # Retries of webhook deliveries, and any delivery whose task was lost (broker outage).
    "deliver-due-webhooks": {
        "task": "integrations.tasks.deliver_due_webhooks",
        "schedule": crontab(minute="*"),
    },
    "delete-expired-exports": {
        "task": "exports.tasks.delete_expired_exports",
        "schedule": crontab(minute=41),
    },
    "purge-expired-idempotency-keys": {
        "task": "apikeys.tasks.purge_expired_idempotency_keys",
        "schedule": crontab(minute=17),
    },
}

# Payments: with no STRIPE_SECRET_KEY the offline gateway is used (payment by invoice).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Where the SDK sends API calls; tests and local runs point it at localstripe.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
if STRIPE_SECRET_KEY and not STRIPE_PUBLISHABLE_KEY:
    raise ImproperlyConfigured("STRIPE_PUBLISHABLE_KEY must be set with STRIPE_SECRET_KEY.")

# Webhooks. Loopback (127.0.0.1, ::1) and plain http:// are refused unless this is on; it
# follows DEBUG, so a laptop and the tests can deliver to a local receiver and production
# (DEBUG off) cannot. Private, link-local, metadata and other non-public addresses are always
# refused.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=DEBUG)
# Seconds to connect, and to wait for the answer, per delivery attempt.
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=5.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)

# Order exports: line rows above which an export runs as a background job instead of in the
# request (an XLSX costs ~10x a CSV per row; gunicorn's timeout is 120 s); files kept for days.
EXPORT_BACKGROUND_XLSX_ROWS = env.int("EXPORT_BACKGROUND_XLSX_ROWS", default=50_000)
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=1_000_000)
EXPORT_FILE_DAYS = env.int("EXPORT_FILE_DAYS", default=7)

# JSON API: requests per API key per minute (fixed window, counted in the cache below); 0 = off.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Everything the pages need is served from our own origin; no inline scripts or styles
# (core.middleware relaxes this for the Swagger page only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s message=%(message)s"
        }
    },
    # Every handler redacts API keys and Authorization / X-API-TOKEN values (core/logging.py).
    "filters": {"redact_credentials": {"()": "core.logging.RedactCredentialsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["redact_credentials"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default "django" handlers do not redact: send its records to ours only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Production profile: on whenever DEBUG is off.
if TRUSTED_PROXY_COUNT > 0:
    # Only our own proxy may say the original request was HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

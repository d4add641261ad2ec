"""The one settings module. Every value comes from a typed ``TAMDESK_*`` variable or a default
that is safe without configuration; see docs/configuration.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tamdesk.core.env import data_home, env_bool, env_int, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = data_home()

SECRET_KEY = secret_key(HOME)
DEBUG = env_bool("TAMDESK_DEBUG", False)
ALLOWED_HOSTS = env_list("TAMDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TAMDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "rules",
    "auditlog",
    "axes",
    "huey.contrib.djhuey",
    "tamdesk.core",
    "tamdesk.calendars",
    "tamdesk.directory",
    "tamdesk.notifications",
    "tamdesk.sla",
    "tamdesk.changes",
    "tamdesk.workspace",
    "tamdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tamdesk.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every time in the viewer's zone (the engineer profile's, else TAMDESK_TIME_ZONE).
    "tamdesk.directory.time_zones.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tamdesk.core.middleware.AuditlogMiddleware",
    # Last: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tamdesk.config.urls"
#: The sections of the client page, in order: the directory owns the page but cannot import the
#: workspace, which lists them (docs/architecture.md, "Composing pages").
CLIENT_PAGE_SECTIONS = "tamdesk.workspace.sections.CLIENT_SECTIONS"
WSGI_APPLICATION = "tamdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tamdesk.core.context_processors.shell",
                "tamdesk.notifications.context_processors.notification_centre",
                "tamdesk.workspace.context_processors.sidebar",
            ],
        },
    },
]

_database_url = env_str("TAMDESK_DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "tamdesk.sqlite3",
            # WAL and a busy timeout let the web server and the worker share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses any login from a locked-out address before a password is checked.
    "tamdesk.core.auth.LoginLockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's model backend, loading the engineer profile (the viewer's time zone) with the
    # user. Sessions signed in through django.contrib.auth.backends.ModelBackend before it
    # existed end: their users sign in again once.
    "tamdesk.directory.auth.ModelBackendWithProfile",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The user model is Django's; its page is the directory's user-account page.
ABSOLUTE_URL_OVERRIDES = {
    "auth.user": lambda user: reverse("directory:user_detail", args=[user.pk]),
}
# Proxies whose X-Forwarded-For is believed (addresses or networks); see tamdesk.core.net.
TRUSTED_PROXIES = env_list("TAMDESK_TRUSTED_PROXIES", [])
# The login lock-out (django-axes, counted in the database so every process sees one count).
LOGIN_FAILURE_LIMIT = env_int("TAMDESK_LOGIN_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("TAMDESK_LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "tamdesk.core.net.client_address"
AXES_LOCKOUT_CALLABLE = "tamdesk.core.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not recorded; failures are
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Live incident sources: how long a delivery waits for its predecessor before it is applied
# anyway (tamdesk.sla.imports.inbound).
INBOUND_HOLD_SECONDS = env_int("TAMDESK_INBOUND_HOLD_SECONDS", 300)
if not 0 <= INBOUND_HOLD_SECONDS <= 86400:
    raise ImproperlyConfigured("TAMDESK_INBOUND_HOLD_SECONDS must be from 0 to 86400.")
# API tokens: the default and the longest lifetime, in days (tamdesk.core.tokens).
API_TOKEN_DAYS = env_int("TAMDESK_API_TOKEN_DAYS", 30)
API_TOKEN_MAX_DAYS = env_int("TAMDESK_API_TOKEN_MAX_DAYS", 365)
if not 1 <= API_TOKEN_DAYS <= API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        "TAMDESK_API_TOKEN_DAYS must be at least 1 and at most TAMDESK_API_TOKEN_MAX_DAYS."
    )
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates and times per language: ISO-like in English, 25.07.2026 14:05 in Russian.
FORMAT_MODULE_PATH = ["tamdesk.core.formats"]
USE_I18N = True
TIME_ZONE = env_str("TAMDESK_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # vendored assets and the UI's own css/js
MEDIA_URL = "media/"
MEDIA_ROOT = HOME / "media"
# The largest helpdesk export an import takes through the UI or the API (sla.imports.uploads).
IMPORT_MAX_BYTES = env_int("TAMDESK_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
if IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured("TAMDESK_IMPORT_MAX_BYTES must be at least 1.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# HTTPS deployments (behind a TLS-terminating proxy) turn on the secure-transport settings.
HTTPS = env_bool("TAMDESK_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Every page: scripts, styles, fonts and requests from this site only — no inline script, no
# inline style (htmx is told not to add its indicator style, base.html), no eval, no framing.
# Bootstrap's CSS draws some icons as data: images. The Swagger UI page relaxes style-src
# (tamdesk.core.api_docs). Sent by tamdesk.core.middleware.SecurityHeadersMiddleware.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features no page uses, refused to every origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "tamdesk.core.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Bodies are JSON only, with a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE) and a nesting limit.
    "DEFAULT_PARSER_CLASSES": ["tamdesk.core.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "tamdesk.core.api.Pagination",
    # Every operation documents the error statuses it can return.
    "DEFAULT_SCHEMA_CLASS": "tamdesk.core.viewsets.ApiSchema",
    "EXCEPTION_HANDLER": "tamdesk.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The OpenAPI schema and the Swagger UI need a login unless this is set (tamdesk.core.api_docs).
API_SCHEMA_PUBLIC = env_bool("TAMDESK_API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "tamdesk API",
    "DESCRIPTION": "The REST API of tamdesk. Authenticate with a session or with "
    "`Authorization: Token <token>` from `POST /api/v1/auth/token/`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from the path after the version: "clients", "clients_list".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Stable enum component names for generated clients, one per choices class.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "tamdesk.core.roles.Role",
        "AccountRoleEnum": "tamdesk.directory.choices.AccountRole",
        "ClientStatusEnum": "tamdesk.directory.choices.ClientStatus",
        "ClientTierEnum": "tamdesk.directory.choices.ClientTier",
        "CompetencyFieldEnum": "tamdesk.directory.choices.CompetencyField",
        "CompetencyLevelEnum": "tamdesk.directory.choices.CompetencyLevel",
        "ComponentKindEnum": "tamdesk.directory.choices.ComponentKind",
        "ContactKindEnum": "tamdesk.directory.choices.ContactKind",
        "CalendarExceptionKindEnum": "tamdesk.calendars.choices.CalendarExceptionKind",
        "CalendarExceptionSourceEnum": "tamdesk.calendars.choices.CalendarExceptionSource",
        "WeekdayEnum": "tamdesk.calendars.choices.Weekday",
        "PriorityEnum": "tamdesk.sla.choices.Priority",
        "IncidentStatusEnum": "tamdesk.sla.choices.IncidentStatus",
        "IncidentEventKindEnum": "tamdesk.sla.choices.IncidentEventKind",
        "ClockKindEnum": "tamdesk.sla.choices.ClockKind",
        "ClockStateEnum": "tamdesk.sla.choices.ClockState",
        "PausableStatusEnum": "tamdesk.sla.api.PAUSABLE_CHOICES",
        "WorkingStatusEnum": "tamdesk.sla.api.WORKING_CHOICES",
        "AppendableEventKindEnum": "tamdesk.sla.api.APPENDABLE_KINDS",
        "IncidentImportStatusEnum": "tamdesk.sla.choices.IncidentImportStatus",
        "UnknownNamePolicyEnum": "tamdesk.sla.imports.resolve.POLICIES",
        "ChangeTypeEnum": "tamdesk.changes.choices.ChangeType",
        "ChangeStatusEnum": "tamdesk.changes.choices.ChangeStatus",
        "ScheduleStatusEnum": "tamdesk.changes.choices.ScheduleStatus",
        "TaskStatusEnum": "tamdesk.changes.choices.TaskStatus",
        "DependencyKindEnum": "tamdesk.changes.choices.DependencyKind",
    },
}

AUDITLOG_DISABLE_REMOTE_ADDR = False

# The address of this instance as users reach it, for the links in e-mails and webhooks.
BASE_URL = env_str("TAMDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background jobs (huey): Redis when TAMDESK_REDIS_URL is set (several workers on several
# machines), else a SQLite queue file in TAMDESK_HOME (one machine; `tamdesk serve` runs a worker).
REDIS_URL = env_str("TAMDESK_REDIS_URL", "")
HUEY = {
    "name": "tamdesk",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("TAMDESK_JOBS_IMMEDIATE", False),
    "utc": True,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(HOME / "jobs.sqlite3")},
    "consumer": {
        "workers": env_int("TAMDESK_WORKER_THREADS", 4),
        "worker_type": "thread",
        "check_worker_health": True,
        "health_check_interval": 5,
        "periodic": True,
        # A worker that died holding a job's lock would block that job for good: a starting
        # worker clears the locks (the jobs are safe to run twice).
        "flush_locks": True,
    },
}
if REDIS_URL:
    # One cache for every process when Redis is there.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tamdesk",
        }
    }

# Outgoing e-mail (the notifications' e-mail channel). TAMDESK_EMAIL_FILE_DIR writes each message
# to a file there instead of sending it (demos, staging); `make demo` uses it.
EMAIL_FILE_PATH = env_str("TAMDESK_EMAIL_FILE_DIR", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("TAMDESK_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("TAMDESK_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("TAMDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("TAMDESK_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TAMDESK_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("TAMDESK_SMTP_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set TAMDESK_SMTP_STARTTLS or TAMDESK_SMTP_SSL, not both.")
EMAIL_TIMEOUT = env_int("TAMDESK_SMTP_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("TAMDESK_SMTP_FROM", "tamdesk <tamdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notification delivery: attempts before a notification is dead, and the webhook timeout.
NOTIFY_MAX_ATTEMPTS = env_int("TAMDESK_NOTIFY_MAX_ATTEMPTS", 8)
WEBHOOK_TIMEOUT = env_int("TAMDESK_WEBHOOK_TIMEOUT", 10)
# Internal webhook destinations allowed on purpose (host names, addresses, CIDR networks); any
# other loopback, private, link-local or reserved address is refused.
WEBHOOK_ALLOWED_HOSTS = env_list("TAMDESK_WEBHOOK_ALLOWED_HOSTS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TAMDESK_LOG_LEVEL", "INFO")},
    # The worker's own logger: configured here, so `tamdesk worker` adds no second handler.
    "loggers": {
        "huey": {
            "handlers": ["console"],
            "level": env_str("TAMDESK_LOG_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}

"""Oversight settings, read from the environment (see .env.example and the README)."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from oversight.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# HTTPS-only cookies, redirects and HSTS; on by default outside development.
HTTPS = env_bool("HTTPS", not DEBUG)

_secret_key = env_str("SECRET_KEY")
if not _secret_key:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    _secret_key = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105
SECRET_KEY = _secret_key

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "oversight",
    "supervision",
    "decisions",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oversight.middleware.AbsoluteSessionLimitMiddleware",
    "oversight.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "oversight.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oversight.urls"
WSGI_APPLICATION = "oversight.wsgi.application"

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
                "oversight.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'oversight.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while a manager's autosave writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not SQLite's shared in-memory database: that one locks whole tables and
    # answers "database table is locked" at once, without waiting, whenever the live server's
    # request threads overlap (the browser's autosaves do). A file waits for its lock as the real
    # site does. pytest-xdist gives each worker its own file; the process id keeps two test runs
    # on one machine (two checkouts, an editor's runner) from sharing one.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TEST_DATABASE_FILE")
        or str(Path(tempfile.gettempdir()) / f"oversight-test-{os.getpid()}.sqlite3"),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 30 minutes idle (renewed on every request), 12 hours in all (middleware).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sign-in throttling: 10 failures lock that username from that address only, so one office
# behind one address is not locked out together.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "static_build",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "oversight@localhost")

REST_FRAMEWORK = {
    # Token first: DRF answers with the first class's challenge, so no or a bad token (or an
    # ended session) is 401 with `WWW-Authenticate: Token`, not 403. Sessions still work (the
    # live page calls the API with its session and CSRF token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON with nesting and size limits (400 / 413); forms for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "oversight.api.parsers.JSONParser",
        "oversight.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "oversight.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "oversight.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per signed-in user, or per address when anonymous; over the rate answers 429 with
    # Retry-After. Counted in the default cache (per process unless CACHES is shared).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "600/minute"),
    },
}
# API tokens (django-rest-knox): only a hash is stored, `Authorization: Token <key>`, and every
# token expires API_TOKEN_DAYS after it was issued (it is not extended by use).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_DAYS must be at least 1, not {API_TOKEN_DAYS}")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Oversight API",
    "DESCRIPTION": "Supervision and management oversight for children's social care.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids name the resource (`staff`, `supervisions`), not `v1`.
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several resources have a `status` (or a not-held reason) with their own choices.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "supervision.models.SessionStatus",
        "ActionStatusEnum": "supervision.models.ActionStatus",
        "NotHeldReasonEnum": "supervision.models.NotHeldReason",
        "RequestReasonEnum": "supervision.models.RequestReason",
        "RequestStatusEnum": "supervision.models.RequestStatus",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request bodies never reach the logs: they may hold note text or health data.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

OVERSIGHT = {
    # Absence types that do not excuse supervision (all others do).
    "NON_EXCUSING_ABSENCE_TYPES": env_list("NON_EXCUSING_ABSENCE_TYPES", ["annual_leave"]),
    "ASSISTANT_TEAM_MANAGERS_RECORD_DECISIONS": env_bool("ATM_RECORD_DECISIONS", False),
    # An open case with no MDR, case discussion or informal discussion for longer than this
    # many working days is drifting (decisions/drift.py).
    "DRIFT_WORKING_DAYS": env_int("DRIFT_WORKING_DAYS", 20),
    # Open cases per worker above which a caseload is flagged on the dashboard.
    "CASELOAD_THRESHOLD": env_int("CASELOAD_THRESHOLD", 20),
    # Exports with more worker-month rows than this are built in the background.
    "BACKGROUND_EXPORT_ROWS": env_int("BACKGROUND_EXPORT_ROWS", 20000),
    # The site's address, for links in notification e-mails.
    "SITE_URL": env_str("SITE_URL", "http://127.0.0.1:8000"),
    # The most characters in one record section, case-discussion field, informal discussion,
    # addendum or note (oversight/text.py); the live page counts down well before it.
    "MAX_TEXT_CHARS": env_int("MAX_TEXT_CHARS", 20000),
    # The most actions one session, case discussion or informal discussion may set.
    "MAX_ACTIONS_PER_RECORD": env_int("MAX_ACTIONS_PER_RECORD", 50),
    # How much one `import_org` file may hold (a file is untrusted input). A whole authority
    # of 200,000 rows is a CSV of about 20 MB and an .xlsx of about 10 MB that unpacks to about
    # 100 MB; real sheet XML packs about 5-20 times, a zip bomb hundreds of times.
    "IMPORT_MAX_FILE_BYTES": env_int("IMPORT_MAX_FILE_BYTES", 20_000_000),
    "IMPORT_MAX_UNCOMPRESSED_BYTES": env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200_000_000),
    "IMPORT_MAX_COMPRESSION_RATIO": env_int("IMPORT_MAX_COMPRESSION_RATIO", 100),
    "IMPORT_MAX_ROWS": env_int("IMPORT_MAX_ROWS", 200_000),
}

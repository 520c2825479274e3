"""Settings for the PMPP back office: one module, driven by the environment.

Every variable read here is listed with its default in README.md § Configuration.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (or set DEBUG=1 for local development only)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pmpp",
    "grievances",
    "stakeholders",
    "reporting",
    "api",
    "portal",
    "notifications",
    "imports",
    "privacy",
    "answers",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything else but security: it sees every error answered under /api/.
    "pmpp.middleware.ApiErrorsAsJsonMiddleware",
    "pmpp.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pmpp.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "pmpp.db_unavailable.DatabaseUnavailableMiddleware",
    "pmpp.middleware.PrivateResponseMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmpp.urls"
WSGI_APPLICATION = "pmpp.wsgi.application"
ASGI_APPLICATION = "pmpp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pmpp.context_processors.navigation",
                "grievances.context_processors.navigation_queues",
            ],
        },
    },
]
# Forms as Django renders them, but <select> written in Python (pmpp/form_rendering.py).
FORM_RENDERER = "pmpp.form_rendering.FormRenderer"


# The API intake's statements bound by the server and prepared once per connection
# (pmpp.prepared). Off behind a PgBouncer in transaction mode that does not keep prepared
# statements (README § PgBouncer).
PMPP_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)


def database_from_url(url: str) -> dict:
    """A DATABASES entry: SQLite for sqlite:///…; PostgreSQL for postgres://…, through psycopg 3
    with its connection pool (a psycopg_pool.ConnectionPool per process and per alias)."""
    database = dj_database_url.parse(url)
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["CONN_MAX_AGE"] = 0  # the pool owns connection reuse
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
            "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "10")),
            "timeout": 10,
        }
        # Parameters bound on the client and nothing prepared (Django's default), except where
        # the code asks (pmpp.prepared: the API intake's statements, unless turned off).
        database["OPTIONS"]["prepare_threshold"] = None
    elif database["ENGINE"] == "django.db.backends.sqlite3":
        sqlite_options = database.setdefault("OPTIONS", {})
        # IMMEDIATE takes the write lock at BEGIN: concurrent writers queue instead of failing.
        sqlite_options["transaction_mode"] = "IMMEDIATE"
        sqlite_options["timeout"] = 20
    return database


DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# A read replica for the reporting screens (dashboards, public statistics, semester report
# previews, statistics API), routed by pmpp/db_routers.py. Unset, reporting reads stay on the
# primary: the `reporting` alias then only names the primary, and no connection is opened to it.
REPORTING_DATABASE_URL = os.environ.get("REPORTING_DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(DATABASE_URL),
    # Tests never touch a real replica: the alias reads the test database through its own connection.
    "reporting": database_from_url(REPORTING_DATABASE_URL or DATABASE_URL) | {"TEST": {"MIRROR": "default"}},
}
DATABASE_ROUTERS = ["pmpp.db_routers.ReportingRouter"]
PMPP_REPORTING_DATABASE = "reporting" if REPORTING_DATABASE_URL else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pmpp.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
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
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request: requests push the expiry
# forward, so the age is an idle timeout, not a maximum session length. The session is
# rewritten at most once a minute for that (pmpp.middleware.SessionRefreshMiddleware), not
# on every request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes, pmpp/lockout.py), within AXES_COOLOFF_MINUTES of the latest
# failure: AXES_FAILURE_LIMIT failed attempts for one username from one address lock that
# pair out; AXES_ADDRESS_FAILURE_LIMIT failed attempts from one address, whatever the
# usernames, lock the address out (password spraying). An office signs in from behind one
# NAT address: 20 is four colleagues each locking themselves out within half an hour, far
# above ordinary typing errors, while a sprayer, who could try 4 passwords on every account,
# gets 20 guesses in all per half hour. Attempts during a lockout neither count nor extend
# it, so an office's staff trying again does not keep the address locked.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "30")) / 60
AXES_HANDLER = "pmpp.lockout.LoginLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "pmpp.lockout.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The client's address as the public pages see it: behind a proxy, from PMPP_CLIENT_ADDRESS_HEADER.
AXES_CLIENT_IP_CALLABLE = "pmpp.client.client_address"
AXES_VERBOSE = False

# Internationalisation: French first, Arabic (right-to-left) second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("ar", _("العربية"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are typed day first in both languages (pmpp/dates.py), the admin's widgets included.
FORMAT_MODULE_PATH = ["pmpp.formats"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise; front-end packages are vendored in static/vendor.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Content-Security-Policy (Django's built-in middleware): no inline scripts, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No script reads the CSRF cookie (forms carry the token; htmx only sends GETs).
CSRF_COOKIE_HTTPONLY = True
# Production serves HTTPS only (HTTPS=1): `manage.py check --deploy --fail-level WARNING` passes.
if env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background tasks (notifications) go through django.tasks, stored in the database and
# run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.IntegrationTokenAuthentication"],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMPP back office API",
    "DESCRIPTION": "Intake by integration accounts (idempotent), grievances, workflow steps, commitments, "
    "stakeholder registry and statistics. Authenticate with `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    # The schema and its documentation are public (they hold no data); everything under /api/v1/ needs a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is vendored from npm into static/vendor (scripts/vendor-static.sh): no CDN.
    "SWAGGER_UI_DIST": "/" + STATIC_URL.strip("/") + "/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/" + STATIC_URL.strip("/") + "/vendor/swagger-ui/favicon-32x32.png",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "GrievanceStatusEnum": "grievances.models.Grievance.Status",
        "SexEnum": "grievances.models.Sex",
        "AgeGroupEnum": "grievances.models.AgeGroup",
        "LevelEnum": "stakeholders.models.Level",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History is read-only everywhere (SPEC §5.6): no "revert to this version" in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Logging goes to the console. Every handler carries the redaction filter, so a CNIE,
# a phone number or an e-mail address that slips into a message is masked before output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personal_data": {"()": "pmpp.logging.RedactPersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personal_data"],
        },
        # Django's own defaults for these two carry no redaction: the error e-mail to ADMINS
        # quotes the exception, the URL and the POST data; runserver's request lines the URL.
        "mail_admins": {
            "class": "pmpp.logging.RedactingAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Named here so that Django's default handlers (an unredacted console in DEBUG, an
        # unredacted mail_admins) are replaced; its records still reach the root console.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Axes would log usernames of failed logins; its lockouts are in its own tables.
        "axes": {"level": "WARNING"},
        # WeasyPrint reports each step of a PDF (and of the fonts' CSS read at start) at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# Error reports (the DEBUG page, the e-mail to ADMINS) show POST field names, never values.
DEFAULT_EXCEPTION_REPORTER_FILTER = "pmpp.logging.PersonalDataExceptionReporterFilter"

# Grievance mechanism (PMPP §6). Deadlines themselves are per programme in DeadlinePolicy.
PMPP_DUE_SOON_DAYS = int(os.environ.get("PMPP_DUE_SOON_DAYS", "2"))
PMPP_REFERRAL_HOURS = int(os.environ.get("PMPP_REFERRAL_HOURS", "24"))
# Notifications (notifications/): an overdue grievance is escalated to the head of beneficiary
# services this many days past its due date; failed sends are retried with exponential backoff.
PMPP_ESCALATION_DAYS = int(os.environ.get("PMPP_ESCALATION_DAYS", "3"))
PMPP_NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("PMPP_NOTIFICATION_MAX_ATTEMPTS", "5"))
PMPP_NOTIFICATION_RETRY_SECONDS = int(os.environ.get("PMPP_NOTIFICATION_RETRY_SECONDS", "60"))
PMPP_SMS_BACKEND = os.environ.get("PMPP_SMS_BACKEND", "notifications.backends.ConsoleSmsBackend")
PMPP_SMS_FILE_PATH = Path(os.environ.get("PMPP_SMS_FILE_PATH", BASE_DIR / "var" / "sms"))
# Past this many SMS segments, the answer box warns that the message is long (answers.sms).
PMPP_SMS_MAX_SEGMENTS = int(os.environ.get("PMPP_SMS_MAX_SEGMENTS", "3"))
# The test gateway (notifications.backends.FailOnPatternSmsBackend): numbers it refuses, and
# the backend that takes the others.
PMPP_SMS_FAIL_PATTERN = os.environ.get("PMPP_SMS_FAIL_PATTERN", "")
PMPP_SMS_PASS_BACKEND = os.environ.get("PMPP_SMS_PASS_BACKEND", "notifications.backends.FileSmsBackend")
# Delivery receipts from the SMS gateway (POST /notifications/remise/, « Authorization: Bearer
# <token> »); empty turns the webhook off.
PMPP_DELIVERY_WEBHOOK_TOKEN = os.environ.get("PMPP_DELIVERY_WEBHOOK_TOKEN", "")
# E-mail through Django's mailers (MAILERS, Django 6.1): EMAIL_BACKEND picks the backend and
# the variables below feed the options it takes (SMTP server, or the file backend's folder).
_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _EMAIL_OPTIONS = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
else:
    _EMAIL_OPTIONS = {}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pmpp@localhost")
# Ownership (issue 18): a case registered by hand in the back office is assigned to the agent
# who registered it, unless the form names someone else; off, it waits to be assigned.
PMPP_ASSIGN_REGISTERING_AGENT = env_bool("PMPP_ASSIGN_REGISTERING_AGENT", True)
# Four eyes: the closing officer may not close a grievance they qualified, unless a small
# team turns this on.
PMPP_ALLOW_SELF_CLOSE = env_bool("PMPP_ALLOW_SELF_CLOSE", False)
# Attachments (grievances, minutes): largest accepted file. The web server in front should
# refuse larger request bodies too (nginx client_max_body_size), so nothing big is buffered.
PMPP_MAX_UPLOAD_BYTES = int(os.environ.get("PMPP_MAX_UPLOAD_MB", "10")) * 1024 * 1024
# The API takes no file: its largest legitimate body (a drafted answer with its explanation and
# comment at their maximum lengths, 24,000 characters, each escaped in up to 12 bytes) is under
# 300 KB. A body announced larger than this is answered with a JSON 413 before it is read.
PMPP_API_MAX_BODY_BYTES = int(os.environ.get("PMPP_API_MAX_BODY_KB", "1024")) * 1024
# Public statistics page (/statistiques/): aggregate counts only, small cells masked.
PMPP_PUBLIC_STATISTICS = env_bool("PMPP_PUBLIC_STATISTICS", True)
PMPP_PUBLIC_SMALL_CELL = int(os.environ.get("PMPP_PUBLIC_SMALL_CELL", "5"))
# Public tracking page: failed attempts allowed per client address and per tracking code
# within the window, before every attempt (even a right one) is refused until it passes.
PMPP_TRACKING_ATTEMPTS = int(os.environ.get("PMPP_TRACKING_ATTEMPTS", "5"))
PMPP_TRACKING_WINDOW_MINUTES = int(os.environ.get("PMPP_TRACKING_WINDOW_MINUTES", "15"))
# Behind a reverse proxy every request comes from the proxy's address: name the header it sets
# to the client's address (e.g. X-Forwarded-For, of which the last entry is taken, or X-Real-IP).
PMPP_CLIENT_ADDRESS_HEADER = os.environ.get("PMPP_CLIENT_ADDRESS_HEADER", "")
# File imports (chikaya.ma, Médiateur, call centre): files with more rows than this run in the
# task worker (manage.py db_worker) with a progress bar; smaller ones run in the request.
PMPP_IMPORT_SYNC_ROWS = int(os.environ.get("PMPP_IMPORT_SYNC_ROWS", "500"))
# Personal data (Moroccan Law 09-08, art. 3: kept no longer than needed). A grievance closed
# (or duplicate, or moved to the GBV referent) and unchanged for this many days is anonymised
# by `manage.py anonymise_personal_data`; statistics stay. The PMPP sets no period: five years
# outlasts the appeal, the Médiateur's 60-day treatment, and the semester reports' review.
PMPP_RETENTION_DAYS = int(os.environ.get("PMPP_RETENTION_DAYS", str(5 * 365)))

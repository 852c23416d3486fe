"""Settings for Bayline, read from the environment.

Development needs no environment at all (SQLite, console e-mail, DEBUG on). Production sets
at least SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL; see docs/deployment.md, and
docs/configuration.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is public on purpose: production refuses to start without its own
# (summit/infrastructure/checks.py).
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-bayline-development-only")
# While a key is rotated, the previous ones still verify what they signed (sessions, password
# reset links, invitation links): SECRET_KEY_FALLBACKS=old1,old2.
SECRET_KEY_FALLBACKS = [
    key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "summit.infrastructure",
    "summit",
    "sessions.apps.AgendaConfig",
    "registration",
    "badges",
    "badges.checkin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "summit.infrastructure.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "summit.urls"
WSGI_APPLICATION = "summit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "summit.context_processors.summit",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the zero-set-up default; DATABASE_URL=postgres://… is what production uses.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A health check is a `SELECT 1` round trip before the first query of a request that
        # reuses a connection, a small share of a door scan (docs/benchmarks.md). Without it,
        # a connection broken by a database restart or failover fails the one request that
        # finds it, in every worker thread.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
# PostgreSQL: parameters bound by the server and statements prepared once a connection has run
# them 5 times, so that the queries every request makes are planned once per connection, not
# on every call: planning cost more than running most of them. Behind a transaction-mode
# pooler (PgBouncer < 1.21) set DB_PREPARED_STATEMENTS=0: statements prepared on one server
# connection are unknown to the next.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DB_PREPARED_STATEMENTS and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Optional read replica (DATABASE_REPLICA_URL, a PostgreSQL streaming replica): only reads a
# view marks safe to be a little late (the public agenda, its API and calendar files) go there.
# Seats, registrations, admissions and check-in are read and written on the primary only, and
# so is every read inside a transaction (summit/infrastructure/databases.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=DATABASES["default"]["CONN_HEALTH_CHECKS"],
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["summit.infrastructure.databases.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Set apart what several sites (or test runs) keep in one Redis database.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bayline"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whether every process sees the same cache (Redis), so that what one process stores there
# another can replace: only then are data that a change must reach at once cached there
# (registration/choosable.py).
CACHE_IS_SHARED = bool(REDIS_URL)
# Login sessions: with a shared cache, read from Redis and written through to the database
# (`cached_db`), which saves the session query on every logged-in request and survives a Redis
# flush; a per-process memory cache cannot be shared, so without Redis they stay in the database.
# Django's engines, except that a new login session is written once (summit/infrastructure/
# session_engines).
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "summit.infrastructure.session_engines.cached_db"
    if REDIS_URL
    else "summit.infrastructure.session_engines.db",
)

# --- Auth and accounts (django-allauth) -----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Subjects start with the summit's short name in the reader's language and the sender is
# named in it too (summit/infrastructure/mail.py, used by the adapter below and by our own e-mails).
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Digital GBA Summit] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# Our wording, e-mails, rate-limit address and landing page per role (summit/accounts.py).
ACCOUNT_ADAPTER = "summit.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"summit.accounts.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
        "confirm_reauthentication_code": "ConfirmReauthenticationCodeForm",
        "request_login_code": "RequestLoginCodeForm",
        "confirm_login_code": "ConfirmLoginCodeForm",
    }.items()
}
# Guests invited by e-mail have no password: they log in again with a code sent by e-mail
# (and may choose a password later). Each code lets three wrong tries, then a new one is asked.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
# Requests for a login code count per client address and per e-mail address (``key``), in
# short and long windows; a successful login does not reset them. Unknown addresses get the
# same answer (allauth's ACCOUNT_PREVENT_ENUMERATION, on by default) and an e-mail saying
# there is no account, counted the same way.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": "20/m/ip,60/h/ip,3/5m/key,10/d/key",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date and time style per language, for pages, e-mails and files (summit/formats).
FORMAT_MODULE_PATH = ["summit.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "bayline_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# --- Files (bulk print files): local directory or object storage ----------------------------
# Every file goes through Django's storage API (STORAGES["default"]). Without S3_BUCKET it is
# the directory MEDIA_ROOT, enough for one machine; with it, an S3-compatible bucket
# (django-storages) that every web host and task worker reaches, so that a file written by a
# worker on one machine is handed out by any other (docs/deploy/multi-host.md).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
# Downloads of stored files: "redirect" to a presigned address of the bucket, valid
# S3_LINK_SECONDS (the file never passes through the web host), or "stream" through the web
# host (when the bucket is reachable from the servers only).
S3_DOWNLOADS = os.environ.get("S3_DOWNLOADS", "redirect")
S3_LINK_SECONDS = int(os.environ.get("S3_LINK_SECONDS", "120"))


def object_storage(environ, link_seconds: int) -> dict:
    """STORAGES["default"] for the bucket the S3_* variables of ``environ`` name."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["S3_BUCKET"],
            "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
            "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": environ.get("S3_REGION") or None,
            # "path" for most self-hosted endpoints (MinIO, Ceph), "virtual" for AWS.
            "addressing_style": environ.get("S3_ADDRESSING_STYLE") or None,
            "location": environ.get("S3_PREFIX", ""),
            # Private objects: every download is a presigned address handed out after the
            # permission check, never a public one.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": link_seconds,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }


if S3_BUCKET:
    STORAGES["default"] = object_storage(os.environ, S3_LINK_SECONDS)
# How many machines run Bayline's web or task worker processes for this site. Above 1, a
# local MEDIA_ROOT would hold files the other machines cannot see: `check --deploy` refuses it.
BAYLINE_HOSTS = int(os.environ.get("BAYLINE_HOSTS", "1"))

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    # Development prints each e-mail short (attachments named, not dumped):
    # summit/infrastructure/mail.py.
    "summit.infrastructure.mail.ConsoleEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Digital GBA Summit <noreply@bayline.test>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (Django Tasks API) ----------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email", "badges"],
    }
}
# Task workers (manage.py run_worker) record a heartbeat this often; one silent for three
# heartbeats is dead and its claimed work is recovered (summit/infrastructure/workers.py). Work
# claimed by a process without heartbeat (a plain db_worker) is recovered only after
# WORKER_UNKNOWN_GRACE.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_RECOVERY_SECONDS = float(os.environ.get("WORKER_RECOVERY_SECONDS", "60"))
WORKER_UNKNOWN_GRACE_SECONDS = float(os.environ.get("WORKER_UNKNOWN_GRACE_SECONDS", "3600"))
# An e-mail still "queued" this long after it was recorded, with no send task pending, is
# queued again by the recovery (registration.tasks.requeue_stranded_emails).
STRANDED_EMAIL_GRACE_SECONDS = float(os.environ.get("STRANDED_EMAIL_GRACE_SECONDS", "300"))

# Badges per WeasyPrint document in bulk print files. Each chunk costs a font subset in the
# file and a read-back when the file is put together, and progress is reported per chunk;
# a worker holds one chunk's pages in memory.
BADGE_PRINT_CHUNK_SIZE = int(os.environ.get("BADGE_PRINT_CHUNK_SIZE", "250"))
# Badge names drawn by badges/weasyprint_adapter.py, which uses WeasyPrint's internals and
# is checked at start-up against the one WeasyPrint version it was written for; off, they
# are laid out through WeasyPrint's public API (the same pages, at a much higher CPU cost
# for bulk print files): the way to try a new WeasyPrint before the adapter is updated.
BADGE_NAMES_ADAPTER = env_bool("BADGE_NAMES_ADAPTER", True)

# --- Guest API (registration/api.py) ------------------------------------------------------------
# Web origins (scheme://host[:port], comma-separated) whose pages may call the guest API from
# a browser, e.g. a mini program's web view. Native apps and mini programs' own requests need
# none. The public agenda and the OpenAPI document are open to every origin anyway.
GUEST_API_CORS_ORIGINS = env_list("GUEST_API_CORS_ORIGINS")

# --- Client addresses and rate limits (summit/infrastructure/ratelimit.py) -----------------
# How many reverse proxies we run in front of the app: the client address is then the Nth
# X-Forwarded-For entry from the right. 0 (no proxy): REMOTE_ADDR, the header is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Check-in API, per door device (or door-staff member) and minute: far above what one door
# scans (a scan every 0.1 s), low enough that a stuck or stolen device cannot flood the database.
CHECKIN_SCANS_PER_MINUTE = int(os.environ.get("CHECKIN_SCANS_PER_MINUTE", "600"))
CHECKIN_BATCHES_PER_MINUTE = int(os.environ.get("CHECKIN_BATCHES_PER_MINUTE", "60"))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe each machine directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging --------------------------------------------------------------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "summit.infrastructure.logs.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    # Every handler masks secrets and personal data (summit/infrastructure/redact.py).
    "filters": {
        "redact": {"()": "summit.infrastructure.redact.RedactingFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
        # Django's own, as in its default logging, with the redaction too.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default logging gives these handlers of its own that do not redact: its
        # console in DEBUG (which printed "Not Found: <a feed address>" a second time) and
        # runserver's request lines (an invitation link's code). Here they go through ours.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every missing glyph and unsupported CSS rule at WARNING.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Badges ---------------------------------------------------------------------------------
# "<id>:<base64 Ed25519 private key>,…", first signs, all verify (badges/signing.py).
BADGE_SIGNING_KEYS = os.environ.get("BADGE_SIGNING_KEYS", "")

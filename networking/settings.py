"""
Settings for Jinmyaku, read from the environment.

With no variables set the app runs for local use: SQLite, DEBUG on, an embedded
Celery broker on the file system and e-mail printed to the console. Production
sets at least SECRET_KEY, DEBUG=false, ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL (see README.md).
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JINMYAKU_VAR_DIR", BASE_DIR / "var"))

# Refused when DEBUG is off (see SECRET_KEY below).
DEFAULT_SECRET_KEY = "insecure-local-only-key-do-not-use-in-production"  # nosec B105


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or the default when it is unset or blank."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# psycopg prepares a statement run this many times; Django's cursors never prepare.
PREPARE_WHEN_ASKED = 2**31 - 1


def database_from_url(url: str) -> dict:
    """Turn postgres://user:pass@host:port/name?sslmode=require into DATABASES['default']."""
    parts = urlsplit(url)
    if parts.scheme in {"sqlite", "sqlite3"}:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parts.path[1:] if parts.path.startswith("//") else parts.path) or ":memory:",
        }
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// or sqlite:// (got {parts.scheme!r}).")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://user@host:5432/jinmyaku.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL has an invalid port.") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": {
            # Django prepares no statement (a pooler in transaction mode loses them). With a
            # threshold never reached psycopg still prepares none by itself, only the few
            # statements that ask to be (contacts.sql.prepared_cursor); off with "false".
            **({"prepare_threshold": PREPARE_WHEN_ASKED} if env_bool("DATABASE_PREPARED_STATEMENTS", True) else {}),
            **dict(parse_qsl(parts.query)),
        },
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": env_str("DATABASE_TEST_NAME") or None},
    }


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Whether visitors may create their own account. Off by default in production
# (DEBUG off): a private instance's administrator creates accounts with
# `manage.py createsuperuser` or in the admin.
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", DEBUG)
# Sign-up attempts one address may make per hour (accounts/throttle.py).
SIGNUPS_PER_ADDRESS = env_int("SIGNUPS_PER_ADDRESS", 10, minimum=1)

INSTALLED_APPS = [
    "accounts",
    "jobs",
    "contacts",
    "ledger",
    "followups",
    "transfer",
    "insights",
    "cards",
    # Wiring, plus the commands that span every app (seed_demo, db_fingerprint).
    "networking",
    # Django's admin, signed in to through the app's own login page (accounts/admin_site.py).
    "accounts.admin_apps.JinmyakuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # intcomma: counts in running text are written with thousands separators ("2,096 people").
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: /healthz answers before the host check and the HTTPS redirect.
    "networking.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view (and CSRF's reading of the form): control characters
    # in the address and non-UTF-8 forms answer 400.
    "networking.input_guard.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    # Any save of a signed-in user marks their insights figures stale.
    "insights.figures.StaleFiguresMiddleware",
]

if not DEBUG:
    # Static files straight from gunicorn in production; runserver serves
    # them itself while DEBUG is on.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "networking.urls"
WSGI_APPLICATION = "networking.wsgi.application"

# Inputs, textareas and selects are written in Python (networking/renderers.py):
# the same HTML as Django's widget templates, several times faster.
FORM_RENDERER = "networking.renderers.FastWidgetRenderer"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "jinmyaku.sqlite3",
            # WAL lets the web server read while the Celery worker writes.
            # PRAGMA optimize=0x10002 on each new connection keeps the query
            # planner's statistics fresh (SQLite's advice for short-lived
            # connections); without them it picks poor indexes on big tables.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA optimize=0x10002;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Kept open between requests, as on PostgreSQL: opening one (the
            # file, its WAL index, the pragmas, Django's SQL functions) costs
            # about 1 ms of CPU, half of the cheapest page. Safe beside the
            # Celery worker: each process has its own connection, no
            # transaction stays open between requests (autocommit), and WAL
            # lets readers and the writer go on at once.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            # A file, not memory, so a real worker process started by a test
            # sees the same test database; one per test run, so two runs at
            # once do not share it.
            "TEST": {"NAME": VAR_DIR / f"test-jinmyaku-{os.getpid()}.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's backend behind the sign-in throttle, for every login form (the admin's too).
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (accounts/throttle.py, where the reasons are). From a
# browser that never signed in to the name: after LOGIN_FAILURES_PER_PAIR
# failures of one name from one address, each further try waits 1, 2, 4 …
# minutes (at most LOGIN_LOCKOUT_MINUTES); LOGIN_FAILURES_PER_USER failures of
# a name from anywhere, or LOGIN_FAILURES_PER_ADDRESS from one address, within
# LOGIN_LOCKOUT_MINUTES lock it for that long. A browser that signed in to the
# name before (device cookie) is refused only after LOGIN_FAILURES_PER_DEVICE
# failures of its own.
LOGIN_FAILURES_PER_PAIR = env_int("LOGIN_FAILURES_PER_PAIR", 5, minimum=1)
LOGIN_FAILURES_PER_USER = env_int("LOGIN_FAILURES_PER_USER", 100, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50, minimum=1)
LOGIN_FAILURES_PER_DEVICE = env_int("LOGIN_FAILURES_PER_DEVICE", 10, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_DEVICE_COOKIE_DAYS = env_int("LOGIN_DEVICE_COOKIE_DAYS", 365, minimum=1)
# How many proxies in front of the app append to X-Forwarded-For (0: none, use
# the connection's address). Behind one TLS proxy, set 1; never more than the
# proxies that really are there, or clients choose their own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Two-factor authentication (accounts/two_factor.py): any user can turn it on;
# with this on, staff must, and the admin refuses a session without it.
TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("TWO_FACTOR_REQUIRED_FOR_STAFF", False)
OTP_TOTP_ISSUER = "Jinmyaku"

# Sessions live in the database, so a Redis outage never logs anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
# Uploaded files (card photos): under var/media/ by default, never served by a
# public URL (a view checks the owner). MEDIA_S3_BUCKET switches to an
# S3-compatible bucket through django-storages (`pip install django-storages[s3]`),
# private, with MEDIA_S3_ENDPOINT_URL for non-AWS services; credentials come
# from the usual AWS_* variables.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
_media_bucket = env_str("MEDIA_S3_BUCKET", "")
if _media_bucket:
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured("MEDIA_S3_BUCKET is set: install django-storages[s3].") from None
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _media_bucket,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A strict Content Security Policy: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The service worker (followups.pwa) and the web app manifest, both from this site.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The compose probe asks over plain HTTP (networking/middleware.py answers it first anyway).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", True) else None
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# E-mail: printed to the console unless EMAIL_HOST is set.
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Jinmyaku <jinmyaku@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. Without CELERY_BROKER_URL the broker is a folder on disk, so a local
# run needs no Redis and still has a real worker and beat.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    # kombu's file-system transport expects its folders to exist, in the
    # producer (web) as much as in the worker.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task may run, so Redis does not hand a running,
        # unacknowledged task to a second worker.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60 * 2, minimum=60),
        # Sending a task while Redis is down tries once and gives up, instead
        # of retrying for about 6 s: a save holds a gunicorn worker meanwhile,
        # and a few saves stalled the whole site during an outage. Nothing is
        # lost (services._send; the sweeper sends the work again). The worker
        # reconnects by its own rules (broker_connection_max_retries).
        "max_retries": 0,
        "socket_connect_timeout": 2,
        # A Redis that accepts the connection and never answers (hung, or its
        # host swapping) would hold a save for as long as the kernel keeps the
        # socket: each command gives up after this many seconds instead.
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 2, minimum=1),
    }
# Where a running import reports how far it got (transfer/progress.py): a
# cache the web and worker processes share, even while the import's
# transaction is open. The broker's Redis when there is one, else a folder.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CELERY_BROKER_URL,
        "KEY_PREFIX": "jinmyaku-progress",
        # The same bounds as the broker's: a hung Redis costs a progress read
        # (transfer/progress.py logs and goes on) two seconds, not a request.
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged only after it finished, and each worker process takes
# one message at a time: a worker killed mid-task leaves the message to be
# redelivered, and a long task never holds others hostage in a prefetch buffer.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
# Results are never read (ignore_result); should a backend be set, it gets the broker's bounds.
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# Imports and restores go to a queue of their own, served by a worker of its
# own (`make run`, docker-compose's worker-transfer): the largest file allowed
# never keeps another user's follow-ups or test job waiting behind it. A
# worker started without -Q serves both queues.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "transfer": {}}
# The reaper stays on the main queue: it must run while the transfer worker is busy or gone.
CELERY_TASK_ROUTES = {"transfer.reap": {"queue": "celery"}, "transfer.*": {"queue": "transfer"}}
# The time budget of one import or restore; past it the job fails with a
# message and nothing saved, and the reaper frees jobs whose worker died.
TRANSFER_TIME_LIMIT = env_int("TRANSFER_TIME_LIMIT", 20 * 60, minimum=60)
CELERY_TASK_ANNOTATIONS = {
    name: {"time_limit": TRANSFER_TIME_LIMIT, "soft_time_limit": TRANSFER_TIME_LIMIT - 30}
    for name in ("transfer.run_import", "transfer.read_import", "transfer.run_restore")
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Write the schedule file after every task sent; its age is beat's health check.
CELERY_BEAT_SYNC_EVERY = 1
# Beat only sends small messages at fixed times; what is due, and when, lives
# in the database (no long ETA or countdown tasks on the broker).
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat-every-minute": {
        "task": "followups.record_heartbeat",
        "schedule": 60.0,
    },
    "nightly-followups": {
        "task": "followups.start_nightly",
        "schedule": crontab(hour=3, minute=10),
    },
    "reap-stuck-work": {
        "task": "followups.reap",
        "schedule": 300.0,
    },
    "reap-stuck-imports": {
        "task": "transfer.reap",
        "schedule": 300.0,
    },
    "weekly-digests": {
        "task": "followups.dispatch_digests",
        "schedule": crontab(minute="*/15"),
    },
    # The morning notice on the user's devices, at each user's chosen time (claimed once a day).
    "push-notices": {
        "task": "followups.dispatch_push_notices",
        "schedule": 300.0,
    },
    "purge-trash": {
        "task": "contacts.purge_trash",
        "schedule": crontab(hour=4, minute=20),
    },
    "purge-login-throttles": {
        "task": "accounts.purge_login_throttles",
        "schedule": crontab(minute=5),
    },
    # Sunday night, so Monday's digest and key-person page show fresh candidates.
    "weekly-key-person-suggestions": {
        "task": "insights.refresh_everyone",
        "schedule": crontab(day_of_week="sun", hour=4, minute=30),
    },
}
# A nightly chunk unfinished this long after it was sent is sent again (its
# worker died); redoing a chunk is harmless.
FOLLOWUPS_STALE_AFTER = env_int("FOLLOWUPS_STALE_AFTER", 15 * 60, minimum=0)
# The most people one nightly task message carries.
FOLLOWUPS_CHUNK_PEOPLE = env_int("FOLLOWUPS_CHUNK_PEOPLE", 2000, minimum=1)
# Web Push (the morning notice): a VAPID key pair, made by `manage.py generate_vapid_keys`.
# Without them, devices cannot be turned on for notices.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_PUBLIC_KEY = env_str("WEBPUSH_VAPID_PUBLIC_KEY")
# Who the push services may contact about this server's messages (mailto: or https:).
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "mailto:jinmyaku@localhost")
# Push service addresses must be https; tests run one on loopback over http.
WEBPUSH_ALLOW_HTTP = env_bool("WEBPUSH_ALLOW_HTTP", False)
# The address in e-mails and calendar events (no request to take it from).
# Production must name it: a digest that links to localhost helps nobody.
SITE_URL = env_str("SITE_URL", "http://localhost:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL:
    raise ImproperlyConfigured("Set SITE_URL to the address users open, e.g. https://jinmyaku.example.com.")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.netloc or _site.query or _site.fragment:
    raise ImproperlyConfigured(f"SITE_URL must look like https://jinmyaku.example.com (got {SITE_URL!r}).")

# Error reports: to Sentry when SENTRY_DSN is set, else e-mailed to ADMINS
# ("Name <address>, address", with DEBUG off; the console always has them).
SENTRY_DSN = env_str("SENTRY_DSN")
ADMINS = env_list("ADMINS", [])
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production" if not DEBUG else "development"),
        # Notes about real people: no request bodies, cookies or user details leave the server.
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got {LOG_LEVEL!r}).")
# LOG_FORMAT=json writes one JSON object per line (for a log collector); text is for people.
LOG_FORMAT = env_str("LOG_FORMAT", "text").lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json (got {LOG_FORMAT!r}).")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "networking.logging.JsonFormatter"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Sentry's logging integration reports errors itself; without it, ADMINS get e-mail.
        "django": {"handlers": [] if SENTRY_DSN or not ADMINS else ["mail_admins"], "level": LOG_LEVEL},
        "celery": {"handlers": [] if SENTRY_DSN or not ADMINS else ["mail_admins"], "level": LOG_LEVEL},
    },
}

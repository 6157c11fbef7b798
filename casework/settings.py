"""Casework settings: one file, driven by environment variables parsed strictly.

A bad value stops start-up with a message that names the variable and what it expects
(see docs/admin-guide.md for every variable).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from casework.core.limits import REQUEST_BODY_BYTES, REQUEST_FIELDS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEWORK_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use one of 1, true, yes, on, 0, false, no, off."
    )


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("CASEWORK_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It is required in production mode "
            "(CASEWORK_DEBUG is off); set CASEWORK_DEBUG=1 for development."
        )
    # Development: generate one key per checkout and keep it under var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty in production mode; set it to the host names the app serves, "
        "comma-separated (for example ALLOWED_HOSTS=casework.example.org)."
    )

DEMO_PASSWORD = os.environ.get("CASEWORK_DEMO_PASSWORD", "casework-demo")
if len(DEMO_PASSWORD) < 8:
    raise ImproperlyConfigured("CASEWORK_DEMO_PASSWORD must be at least 8 characters long.")

# Keys that encrypt identity and documents: a file outside the database (casework/core/crypto.py).
CASEWORK_KEYS_FILE = Path(os.environ.get("CASEWORK_KEYS_FILE", VAR_DIR / "keys.json"))

# Signed heads of the audit chains (`casework audit anchor`), appended to a file that the
# database's writers cannot write: another disk, a mount of another machine. Development keeps
# it under var/; production has no default.
CASEWORK_AUDIT_ANCHORS: Path | None = (
    Path(os.environ["CASEWORK_AUDIT_ANCHORS"])
    if os.environ.get("CASEWORK_AUDIT_ANCHORS")
    else (VAR_DIR / "audit-anchors.jsonl" if DEBUG else None)
)

# Attachments (encrypted, in the database): the largest file accepted.
CASEWORK_MAX_UPLOAD_MB = env_int("CASEWORK_MAX_UPLOAD_MB", 20, minimum=1, maximum=100)
# Uploads are personal data: they stay in memory and are never spooled to a temporary file
# in clear; a larger request carries no file at all (the view then says it is too large).
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = (CASEWORK_MAX_UPLOAD_MB + 1) * 1024 * 1024
# A request's body outside its files (JSON, form fields): 2 MB and 1000 fields at most
# (casework.core.limits); over them the API answers 413 and 400 (casework.core.api.errors).
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = REQUEST_FIELDS

# Disclosure control: cells with fewer people than this are withheld outside the organisation.
DISCLOSURE_THRESHOLD = env_int("CASEWORK_DISCLOSURE_THRESHOLD", 5, minimum=3, maximum=100)
# Jobs (casework.core.jobs): a queue in the database, run by `casework worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Beside the network's own tables, releases publish each country's and each organisation's
# (as seen from outside): every indicator, in total and by the parts of the scope
# (organisation, project, target cohort). Breakdowns by a person's attributes (gender, age
# band, detention status, vulnerability) are the network's; RELEASE_SCOPE_BREAKDOWNS adds
# them to the scopes' tables too, at a cost in build time and suppression (docs/disclosure.md
# gives figures). CASEWORK_RELEASE_SCOPES="" publishes the network alone.
RELEASE_SCOPES = env_list("CASEWORK_RELEASE_SCOPES", ["country", "organisation"])
if not set(RELEASE_SCOPES) <= {"country", "organisation"}:
    raise ImproperlyConfigured(
        "CASEWORK_RELEASE_SCOPES lists country and/or organisation, separated by a comma."
    )
PERSON_BREAKDOWNS = ("detention_status", "gender", "age_band", "vulnerability")
# Quarters: a year's release can also break every figure down by quarter of intake (the
# cohort taken in each quarter, and the appointments and people served of the year by the
# quarter their case began), audited with the rest of the year. Off unless the network asks
# for it; a scope's tables get it too where RELEASE_SCOPE_BREAKDOWNS lists "quarter".
RELEASE_QUARTERS = env_bool("CASEWORK_RELEASE_QUARTERS", False)
RELEASE_SCOPE_BREAKDOWNS = env_list("CASEWORK_RELEASE_SCOPE_BREAKDOWNS", [])
if not set(RELEASE_SCOPE_BREAKDOWNS) <= {*PERSON_BREAKDOWNS, "quarter"}:
    raise ImproperlyConfigured(
        "CASEWORK_RELEASE_SCOPE_BREAKDOWNS lists some of "
        + ", ".join([*PERSON_BREAKDOWNS, "quarter"])
        + "."
    )


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'casework.sqlite3'}")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL Casework understands ({exc}); use "
            "sqlite:///path/to/file.sqlite3 or postgres://user@host:5432/name."
        ) from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Writers take the lock when their transaction starts, so two writers never
            # read the same audit-chain head; WAL lets readers go on meanwhile.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete: what is deleted or overwritten (an erased person) is zeroed in
            # the file, not left in free space.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA secure_delete=ON;"
            ),
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL names {engine}; Casework supports SQLite and PostgreSQL only."
        )
    config["TEST"] = {"NAME": None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django_countries",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "csp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "casework.core",
    "casework.accounts",
    "casework.audit",
    "casework.people",
    "casework.cases",
    "casework.immigration",
    "casework.assessments",
    "casework.referrals",
    "casework.finance",
    "casework.network",
    "casework.synthetic",
    "casework.indicators",
    "casework.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casework.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "casework.accounts.middleware.IdleSessionMiddleware",
    "casework.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into Casework's page
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casework" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.core.context_processors.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: plain HTTP is redirected, and browsers are told (HSTS) never to
# use it again for a year. Behind a proxy that terminates TLS set CASEWORK_BEHIND_PROXY=1;
# CASEWORK_HSTS_SECONDS=0 turns HSTS off (e.g. while trying out a new host name), and
# CASEWORK_SSL_REDIRECT=0 the redirect (where the proxy in front already redirects).
SECURE_SSL_REDIRECT = env_bool("CASEWORK_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = (
    0 if DEBUG else env_int("CASEWORK_HSTS_SECONDS", 31_536_000, minimum=0, maximum=2 * 31_536_000)
)
# Both apply to Casework's own host name and the names below it, never to its siblings;
# "preload" only allows the host to be put on browsers' preload list by whoever owns it.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CASEWORK_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CASEWORK_HSTS_PRELOAD", True)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (django-csp): every script, style, image and font comes from
# Casework itself; no inline script or style, no eval, no frames, no plugins. Pages hold no
# inline script or style (tests/test_headers.py), and charts are SVG drawn with attributes.
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
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CASEWORK_BEHIND_PROXY", False) else None
)
# How many reverse proxies of our own stand in front of Casework: the client's address is the
# Nth from the right of X-Forwarded-For (casework.core.http.client_address); 0 = REMOTE_ADDR.
CASEWORK_TRUSTED_PROXIES = env_int("CASEWORK_TRUSTED_PROXIES", 0, minimum=0, maximum=10)

# Sign-in: failed logins lock an account, and separately an address, after this many
# failures (django-axes), until an admin unlocks it or the lock-out ends by itself.
CASEWORK_LOCKOUT_FAILURES = env_int("CASEWORK_LOCKOUT_FAILURES", 10, minimum=3, maximum=100)
CASEWORK_LOCKOUT_MINUTES = env_int("CASEWORK_LOCKOUT_MINUTES", 60, minimum=0, maximum=60 * 24 * 30)
AXES_FAILURE_LIMIT = CASEWORK_LOCKOUT_FAILURES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_COOLOFF_TIME = (
    dt.timedelta(minutes=CASEWORK_LOCKOUT_MINUTES) if CASEWORK_LOCKOUT_MINUTES else None
)
AXES_CLIENT_IP_CALLABLE = "casework.core.http.client_address"
AXES_LOCKOUT_CALLABLE = "casework.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Casework's own audit log records logins; axes keeps only the counters it needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp", "code"]
AXES_VERBOSE = False
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# API tokens (casework.accounts.models.ApiToken) expire after at most this many days; whoever
# asks for one may ask for fewer.
CASEWORK_API_TOKEN_DAYS = env_int("CASEWORK_API_TOKEN_DAYS", 30, minimum=1, maximum=365)
# Two-factor sign-in (django-otp): TOTP apps, and recovery codes as static tokens.
OTP_TOTP_ISSUER = "Casework"
OTP_TOTP_THROTTLE_FACTOR = 1  # wait 1, 2, 4, 8 ... seconds after each wrong code
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "casework" / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("CASEWORK_TIME_ZONE", "Europe/Brussels")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it in production

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casework.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["casework.core.api.permissions.CapabilityPermission"],
    # JSON only (DRF's parser, refusing JSON nested too deeply): a form-encoded body has no
    # types, so it cannot be checked against the schema. Uploads name their own parsers.
    "DEFAULT_PARSER_CLASSES": ["casework.core.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "casework.core.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "casework.core.api.errors.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "casework.core.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": (
        "Case management and evidence for alternatives to immigration detention. "
        "Every endpoint answers only with rows the caller's organisation and role may see."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What every refusal looks like; casework.core.api.schema adds them to each operation.
    "APPEND_COMPONENTS": {
        "schemas": {
            "Error": {
                "type": "object",
                "additionalProperties": True,
                "description": "A refusal: `detail` says why, or each field sent names its "
                'errors (`{"field": ["message", …]}`).',
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "casework.cases.choices.Stage",
        "ExpansionStageEnum": "casework.network.choices.Stage",
        "NetworkRelationshipEnum": "casework.network.choices.Relationship",
        "ReferralStatusEnum": "casework.referrals.choices.ReferralStatus",
        "RelationshipEnum": "casework.people.choices.Relationship",
        "RiskLevelEnum": "casework.network.choices.Level3",
        "RiskStatusEnum": "casework.network.choices.RiskStatus",
        "SubmissionStatusEnum": "casework.assessments.choices.SubmissionStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CASEWORK_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry URLs, and URLs never carry personal data; keep them anyway at
        # WARNING so a query string typed by mistake does not end up in the logs.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # Casework's audit log records sign-ins; axes would log each one again.
        "axes": {"level": "ERROR"},
        # PDF exports: WeasyPrint reports each layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

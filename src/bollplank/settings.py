"""Bollplank settings: one file, configured from BOLLPLANK_* environment variables.

Helpers read the environment and fail loudly on bad values (the healthchecks way); a secret
may also come from a file named by the same variable with a ``_FILE`` suffix.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
APP_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    """A string from the environment, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("BOLLPLANK_DEBUG", False)
VAR_DIR = Path(env_str("BOLLPLANK_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")


def generated_key_file(name: str, make: Callable[[], str]) -> str:
    """The key kept in var/<name>, made once with ``make()`` (readable by the owner only), so
    that a one-machine install needs no set-up and its keys survive a restart."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _secret_key() -> str:
    key = env_str("BOLLPLANK_SECRET_KEY")
    if key:
        return key
    return generated_key_file("secret_key", lambda: secrets.token_urlsafe(50))


def _audit_key() -> bytes:
    """The key of the audit log's MACs: hex or base64, at least 32 bytes. It must not live in
    the database: whoever holds both could rewrite the log and make it verify."""
    text = env_str("BOLLPLANK_AUDIT_KEY") or generated_key_file(
        "audit_key", lambda: secrets.token_hex(32)
    )
    try:
        key = bytes.fromhex(text)
    except ValueError:
        try:
            padded = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
            key = base64.b64decode(padded, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured("BOLLPLANK_AUDIT_KEY is neither hex nor base64.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("BOLLPLANK_AUDIT_KEY must hold at least 32 bytes.")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("BOLLPLANK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("BOLLPLANK_CSRF_TRUSTED_ORIGINS", [])
# The one public address every link in every mail is built from (make run: the address it
# serves on). A link built from a request's host would carry whatever address that request used.
SITE_URL = (env_str("BOLLPLANK_SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"BOLLPLANK_SITE_URL={SITE_URL!r} must be an address such as https://bollplank.example.se"
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    # Before django_tasks_db: its ``db_worker`` command is wrapped by notifications' own, which
    # starts the outbox sweep when the worker starts (an app listed earlier wins a command name).
    "bollplank.notifications",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Sign-in with an organisation's own identity provider (accounts/identity_*.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # django-ninja: its Swagger UI files are served from here (static), not from a CDN.
    "ninja",
    "allauth.usersessions",
    "bollplank.core",
    "bollplank.accounts",
    "bollplank.clients",
    "bollplank.engagements",
    "bollplank.meetings",
    "bollplank.records",
    "bollplank.billing",
    "bollplank.agreements",
    "bollplank.facilitation",
    "bollplank.evaluations",
    "bollplank.courses",
    "bollplank.directory",
    "bollplank.mentoring",
    "bollplank.booking",
    "bollplank.api",
    "bollplank.privacy",
    "bollplank.home",
    "bollplank.demo",
]

MIDDLEWARE = [
    # Outermost: every answer says which browser features the site may use (none but two).
    "bollplank.core.headers.PermissionsPolicyMiddleware",
    # First to see the request: a body larger than its page accepts is refused unread.
    "bollplank.core.limits.BodyLimitMiddleware",
    # No address holds a control character; a NUL in a lookup would fail on PostgreSQL.
    "bollplank.core.urlguard.ControlCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bollplank.accounts.sessions.SessionLimitMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "bollplank.urls"
WSGI_APPLICATION = "bollplank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APP_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bollplank.core.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------

_database_url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bollplank.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN
    # so that two writers queue on the busy timeout instead of failing with "database locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
    # A connection kept between requests: opening one reads the whole schema again, which
    # costs a light page (the login page, a small API answer) more than the rest of it.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("BOLLPLANK_DB_CONN_MAX_AGE", 600)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("BOLLPLANK_DB_CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "bollplank.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_MIN_LENGTH = 12
# Failed logins: at most 5 per account per 5 minutes and 60 per address per hour (ASVS V2.2.1;
# docs/security.md has the figures a scripted brute force gets through).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "60/h/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bollplank"
# A notice by e-mail when a password, an address or two-factor login changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Active sessions are listed at /accounts/sessions/; activity is not written on every request.
USERSESSIONS_TRACK_ACTIVITY = False
# An organisation's own sign-in (accounts/identity_*.py): allauth does the protocol, our
# adapter decides who it is. Nobody signs up through it and no address alone links an account
# (the adapter matches a verified address within the provider's practice itself).
SOCIALACCOUNT_ADAPTER = "bollplank.accounts.identity_adapter.IdentityAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Providers on this machine or a private network (plain http allowed there too): only for
# development and the tests' own provider on 127.0.0.1. Off in production.
SSO_PRIVATE_HOSTS = env_bool("BOLLPLANK_SSO_PRIVATE_HOSTS", DEBUG)
# SAML sign-in keeps the assertion's level of assurance (accounts/identity_saml.py).
SOCIALACCOUNT_PROVIDERS = {
    "saml": {"provider_class": "bollplank.accounts.identity_saml.IdentitySAMLProvider"},
}
# Behind a reverse proxy, the client's address is the proxy-count'th from the end of
# X-Forwarded-For (per-address throttling must not see every client as the proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("BOLLPLANK_TRUSTED_PROXY_COUNT", 0)

# 12 hours at most; the idle and absolute limits are enforced by accounts.sessions.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

# Rate limits must be shared by every web worker: a file cache in var/ does it on one machine
# (BOLLPLANK_CACHE=database for several machines; run createcachetable once).
CACHES: dict[str, dict[str, object]]
if os.environ.get("PYTEST_VERSION"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif env_str("BOLLPLANK_CACHE", "file") == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bollplank_cache",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- language and time ----------------------------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [APP_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["bollplank.core.formats"]

# --- static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
# The suite reads no collected files (a test that collects names a folder of its own). Pointed
# here, every test client's WhiteNoise would scan what an earlier collectstatic left behind.
STATIC_ROOT = None if os.environ.get("PYTEST_VERSION") else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    APP_DIR / "static",
    # Front-end packages come from npm (package-lock.json); served from node_modules, never copied.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/axe", BASE_DIR / "node_modules" / "axe-core"),
]
STATICFILES_FINDERS = [
    "bollplank.core.staticfiles.PackagesFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or os.environ.get("PYTEST_VERSION")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by a browser's developer tools: kept (the hashed CSS and
# JavaScript name them), not compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- mail and background work ---------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "BOLLPLANK_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("BOLLPLANK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BOLLPLANK_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("BOLLPLANK_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("BOLLPLANK_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BOLLPLANK_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("BOLLPLANK_DEFAULT_FROM_EMAIL", "Bollplank <noreply@localhost>")
# Who runs this installation: feedback from the accessibility statement goes there. Empty: the
# statement offers no form (a message nobody reads is worse than none).
OPERATOR_EMAIL = env_str("BOLLPLANK_OPERATOR_EMAIL", "") or ""
# For django.core.mail.backends.filebased.EmailBackend (one file per connection).
EMAIL_FILE_PATH = env_str("BOLLPLANK_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The outbox (notifications.outbox): a row claimed by a worker longer than the lease ago is
# taken to be from a worker that died and goes back to the queue; the worker's own sweep task
# looks for such rows and for due mail this often. The lease must be longer than any one send.
MAIL_LEASE_SECONDS = env_int("BOLLPLANK_MAIL_LEASE_SECONDS", 600)
MAIL_SWEEP_SECONDS = env_int("BOLLPLANK_MAIL_SWEEP_SECONDS", 60)
# The audit log: events are sealed into the chain by the task worker every few seconds, and
# each seal appends a signed checkpoint here. Put it on other storage than the database (or
# ship its files off the host): it is what shows a removed newest event or a rewritten chain.
AUDIT_KEY = _audit_key()
AUDIT_SEAL_SECONDS = env_int("BOLLPLANK_AUDIT_SEAL_SECONDS", 5)
AUDIT_CHECKPOINT_DIR = Path(
    env_str("BOLLPLANK_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit")) or VAR_DIR / "audit"
)
# Bankgirot's payment files (BgMax): the task worker imports what lands in this folder every
# ten minutes and moves each file to imported/ or refused/ beneath it. Empty: upload only.
BGMAX_DIR = env_str("BOLLPLANK_BGMAX_DIR", "") or ""

TASKS = {
    "default": {
        "BACKEND": env_str("BOLLPLANK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("BOLLPLANK_HTTPS", True) and not os.environ.get("PYTEST_VERSION"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("BOLLPLANK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("BOLLPLANK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only the site's own files, no inline script or style,
# no framing, forms post only here. tests/core/test_deploy.py crawls the pages for inline code.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": [_SELF],
    }
}

# Request bodies: at most 2 MB, refused with 413 before they are read (core/limits.py), which
# lets 1 MB of Swedish text in a field reach the form and get its message. The pages that take
# a file allow that file's limit plus 1 MB (@accepts_upload): profile photo 3 MB, sign-up CSV
# 6 MB, calendar file and BgMax file 11 MB. docs/deploy.md's nginx client_max_body_size is the
# largest.
BODY_MAX_BYTES = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = BODY_MAX_BYTES
# Uploaded files larger than this are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = BODY_MAX_BYTES
FORMS_URLFIELD_ASSUME_HTTPS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("BOLLPLANK_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies could hold confidential text: never log them with the error.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

"""OpenIOP settings, read from the environment.

Every integration is off by default, so the demo runs with no configuration at all.
`OPENIOP_MODE=production` turns on the strict settings (HTTPS only, a required secret key).
"""

import json
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from openiop.lib.crypto import Keyring, keyring_from_environment, new_entry, required_keyring

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENIOP_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, "")


def private_dir(path: Path) -> Path:
    """`path` as a directory only this user can enter (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        path.chmod(0o700)
    return path


def demo_file(name: str, make: Callable[[], str]) -> str:
    """A value generated once and kept in var/ (0600), so the demo survives a restart."""
    path = private_dir(VAR_DIR) / name
    if not path.exists():
        # Written whole under a private name, then linked into place: of processes starting at
        # once, the first link wins and every one reads that value, never a half-written file
        # (creating the file in place let a second process read it empty before it was written).
        draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def demo_secret_key() -> str:
    return demo_file("secret_key", lambda: secrets.token_urlsafe(50))


def demo_encryption_keyring() -> Keyring:
    text = demo_file("encryption_keys", new_entry)
    return Keyring.parse(text, source=f"the demo key file {VAR_DIR / 'encryption_keys'}")


def demo_audit_key() -> str:
    """The demo's audit-trail key, kept under var/ (outside the database)."""
    return demo_file("audit_key", lambda: secrets.token_urlsafe(32))


def audit_keys() -> dict[str, str]:
    """The audit trail's HMAC keys by key id; the first one signs new rows.

    `OPENIOP_AUDIT_KEY` (or `_FILE`) is one key with id "1". To rotate, list every key still
    needed to verify old rows, newest first: `OPENIOP_AUDIT_KEYS="2:new-secret,1:old-secret"`.
    """
    listed = env_secret("OPENIOP_AUDIT_KEYS")
    if not listed:
        single = env_secret("OPENIOP_AUDIT_KEY")
        return {"1": single} if single else {}
    keys = {}
    for entry in listed.split(","):
        key_id, sep, secret = entry.strip().partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key_id):
            raise RuntimeError(
                "OPENIOP_AUDIT_KEYS must list id:secret pairs separated by commas "
                "(ids of 1-16 letters, digits, - or _)"
            )
        keys[key_id] = secret
    return keys


MODE = env("OPENIOP_MODE", "development")
PRODUCTION = MODE == "production"
# Tests get a cheap password hasher and a per-process cache.
TESTING = env_bool("OPENIOP_TESTING", default="pytest" in sys.modules)

if not PRODUCTION:
    # Everything this process creates (the SQLite database with its -wal/-shm files, the file
    # cache, logs, Janus's configuration) is private to the user, and so is var/ itself.
    # Set here because every entry point (manage.py, wsgi, asgi, pytest) reads settings before
    # it opens a file. Production leaves the umask to the service manager (systemd UMask=).
    os.umask(0o077)
    private_dir(VAR_DIR)

if PRODUCTION:
    SECRET_KEY = env_secret("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) of 50+ characters is required")
else:
    SECRET_KEY = env_secret("SECRET_KEY") or demo_secret_key()

# Field encryption (TOTP secrets, recovery-code seeds): OPENIOP_ENCRYPTION_KEYS or
# OPENIOP_ENCRYPTION_KEYS_FILE, "ID:base64key" entries, the first one encrypts
# (`manage.py rotate_keys` moves every row to it). Production refuses to start without them.
if PRODUCTION:
    OPENIOP_ENCRYPTION_KEYRING = required_keyring(os.environ)
elif TESTING:
    OPENIOP_ENCRYPTION_KEYRING = Keyring.parse(
        "test:T3BlbklPUCB0ZXN0IGtleSwgbmV2ZXIgZm9yIHVzZSE=", source="the test settings"
    )
else:
    OPENIOP_ENCRYPTION_KEYRING = keyring_from_environment(os.environ) or demo_encryption_keyring()

DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env("SITE_NAME", "OpenIOP")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # RQ's management commands (`rqworker`), used when TASKS_BACKEND=rq.
    "django_rq",
    "phonenumber_field",
    # OpenIOP apps
    "openiop.core",
    "openiop.audit",
    "openiop.accounts",
    "openiop.programs",
    "openiop.participants",
    "openiop.assessments",
    "openiop.safety",
    "openiop.documents",
    "openiop.consent",
    "openiop.intake",
    "openiop.scheduling",
    "openiop.telehealth",
    "openiop.careplans",
    "openiop.notes",
    "openiop.discharge",
    "openiop.outcomes",
    "openiop.feedback",
    "openiop.billing",
    "openiop.messaging",
    "openiop.community",
    "openiop.portal",
    "openiop.backups",
    "django_prometheus",
]

MIDDLEWARE = [
    "openiop.core.middleware.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openiop.core.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openiop.core.middleware.ReadYourWritesMiddleware",
    "openiop.accounts.middleware.UserLanguageMiddleware",
    "openiop.participants.middleware.ViewerZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "openiop.core.middleware.CacheDownMiddleware",
    "openiop.audit.middleware.AuditContextMiddleware",
    "openiop.accounts.middleware.SessionPolicyMiddleware",
    "openiop.accounts.middleware.StaffMFAMiddleware",
    "openiop.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "openiop.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'openiop.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and task worker write to one file at once. WAL lets pages read
    # while another process writes; IMMEDIATE takes the write lock at BEGIN, so a transaction
    # that reads and then writes waits its turn (up to `timeout` seconds) instead of failing
    # with "database is locked" when its read lock cannot be upgraded. synchronous=NORMAL is
    # crash-safe in WAL mode (a power cut may lose the last commits, never the file).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
# A PostgreSQL streaming replica for reports and dashboards (openiop/lib/dbrouter.py): only
# views that ask read from it, never someone who saved something in the last
# REPLICA_STICKY_SECONDS, never while it is more than REPLICA_MAX_LAG_SECONDS behind.
if env("DATABASE_REPLICA_URL"):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Tests see one database through both names.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PgBouncer in transaction pooling mode between the web nodes and PostgreSQL (docs/deploy.md):
# a server connection is ours for one transaction only, so no server-side cursors (.iterator()
# would declare one in one transaction and fetch from it in the next, on another connection).
# Migrations, `manage.py backup` and `restore_drill` connect to PostgreSQL directly.
DATABASE_POOLER = env("DATABASE_POOLER")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured('DATABASE_POOLER must be "pgbouncer" or empty.')
if DATABASE_POOLER:
    for alias in DATABASES:
        DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASE_ROUTERS = ["openiop.lib.dbrouter.ReplicaRouter"]
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 15)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            # A Redis that is down must fail a request in a second, not hang it: the steps
            # that need it then say "try again in a minute" (core.middleware.CacheDownMiddleware)
            # and the rest of the site goes on (sessions are in the database).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Rate limits and lockouts must be shared by every worker process: a per-process memory
    # cache would multiply the allowed attempts by the number of workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "openiop.accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
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

# allauth: accounts are made by staff, never by sign-up; email is the login.
ACCOUNT_ADAPTER = "openiop.accounts.adapters.AccountAdapter"
MFA_ADAPTER = "openiop.accounts.adapters.MFAAdapter"
ACCOUNT_FORMS = {
    "login": "openiop.accounts.forms.LoginForm",
    "reset_password": "openiop.accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an unknown address sends nothing: allauth's mail would invite a stranger
# to sign up, and there is no sign-up. The page shown is the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Prometheus scrapes /metrics/ with "Authorization: Bearer <token>"; unset, /metrics/ is a 404.
OPENIOP_METRICS_TOKEN = env("OPENIOP_METRICS_TOKEN", "")
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
ACCOUNT_RATE_LIMITS = {
    # Sign-ins are not counted per address, only failures are (below): a group of 15 starting
    # together from one clinic Wi-Fi or carrier NAT, twice within a minute after a dropped
    # call, must get in (allauth's default, 30 a minute per address, refused them). An
    # address that keeps failing is refused before its password is even checked.
    "login": None,
    # N failures for one account lock it for the window; an IP gets a little more room
    # because a clinic may share one address.
    "login_failed": (
        f"{LOGIN_FAILURE_LIMIT * 4}/{LOGIN_FAILURE_WINDOW_SECONDS}s/ip,"
        f"{LOGIN_FAILURE_LIMIT}/{LOGIN_FAILURE_WINDOW_SECONDS}s/key"
    ),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs HTTPS, except on a developer's own machine (http://localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = SITE_NAME

# Sessions: an idle timeout by role plus an absolute cap, both enforced server-side
# (ONC 170.315(d)(5) automatic access time-out; HIPAA 164.312(a)(2)(iii)).
OPENIOP_STAFF_MFA_REQUIRED = env_bool("OPENIOP_STAFF_MFA_REQUIRED", True)
OPENIOP_IDLE_TIMEOUT_STAFF = env_int("OPENIOP_IDLE_TIMEOUT_STAFF", 15 * 60)
OPENIOP_IDLE_TIMEOUT_PARTICIPANT = env_int("OPENIOP_IDLE_TIMEOUT_PARTICIPANT", 30 * 60)
OPENIOP_SESSION_ABSOLUTE_CAP = env_int("OPENIOP_SESSION_ABSOLUTE_CAP", 12 * 60 * 60)
# Emergency ("break-the-glass") access to a chart lasts this long (HIPAA 164.312(a)(2)(ii)).
OPENIOP_BREAK_GLASS_MINUTES = env_int("OPENIOP_BREAK_GLASS_MINUTES", 60)
SESSION_COOKIE_AGE = OPENIOP_SESSION_ABSOLUTE_CAP
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Flash messages may name a person or a group ("Patricia Lindqvist has no active diagnosis"):
# kept with the session on the server, never in the browser's (signed, not encrypted) cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "openiop.core.errors.csrf_failure"

# Security baseline; production turns on HTTPS-only behaviour.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Request size limits (SECURITY.md X4).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
OPENIOP_MAX_REQUEST_BODY = env_int("OPENIOP_MAX_REQUEST_BODY", 10 * 1024 * 1024)

# Documents uploaded to charts (docs/documents.md). A file may be this large; the upload page
# alone takes a body this large (the file plus the form around it), and a larger request is
# refused before anything reads it. Files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary
# file on disk while they are checked, never into memory.
DOCUMENTS_MAX_FILE_SIZE = env_int("DOCUMENTS_MAX_FILE_SIZE", 20 * 1024 * 1024)
DOCUMENTS_MAX_REQUEST_BODY = env_int("DOCUMENTS_MAX_REQUEST_BODY", 25 * 1024 * 1024)
# The virus-scan hook: a dotted path to `scan(fileobj) -> "clean" | "infected"`. The default
# only knows the EICAR test file; production points it at ClamAV
# ("openiop.documents.scan.clamd", with DOCUMENTS_CLAMD_ADDRESS). Empty: files are stored as
# "not scanned".
DOCUMENTS_SCANNER = env("DOCUMENTS_SCANNER", "openiop.documents.scan.eicar")
# Production refuses the test-only scanner (`check --deploy`) unless another layer scans files.
DOCUMENTS_SCANNER_ELSEWHERE = env("DOCUMENTS_SCANNER_ELSEWHERE", "") == "1"
# clamd's socket: "unix:/run/clamav/clamd.ctl" or "host:port" (TCP, e.g. "127.0.0.1:3310").
DOCUMENTS_CLAMD_ADDRESS = env("DOCUMENTS_CLAMD_ADDRESS", "unix:/run/clamav/clamd.ctl")
DOCUMENTS_CLAMD_TIMEOUT = env_int("DOCUMENTS_CLAMD_TIMEOUT", 30)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Video sessions on Janus (VIDEO.md). Off until an admin key and a token secret are set;
# `make demo` generates both under var/ and starts Janus with OpenIOP's own configuration.
JANUS_ADMIN_KEY = env_secret("JANUS_ADMIN_KEY")
JANUS_TOKEN_SECRET = env_secret("JANUS_TOKEN_SECRET")
# The Janus adapter. Tests get an in-memory fake (one mocked seam); tests about video itself
# start a real Janus and point this back at the real adapter.
TELEHEALTH_JANUS_CLIENT = "openiop.telehealth.janus.from_settings"
if TESTING:
    JANUS_ADMIN_KEY = JANUS_ADMIN_KEY or "test-admin-key-0123456789"
    JANUS_TOKEN_SECRET = JANUS_TOKEN_SECRET or "test-token-secret-0123456789-0123456789"
    TELEHEALTH_JANUS_CLIENT = "openiop.telehealth.tests.fakes.FakeJanus"
TELEHEALTH_ENABLED = bool(JANUS_ADMIN_KEY and JANUS_TOKEN_SECRET)
# Where Janus's WebSocket API listens (Django connects here; the config writer binds here).
JANUS_WS_IP = env("JANUS_WS_IP", "127.0.0.1")
JANUS_WS_PORT = env_int("JANUS_WS_PORT", 8188)
JANUS_WS_ACL = env("JANUS_WS_ACL", "127.")
# What browsers connect to: usually wss:// through the reverse proxy in front of Janus.
JANUS_PUBLIC_URL = env("JANUS_PUBLIC_URL", f"ws://{JANUS_WS_IP}:{JANUS_WS_PORT}")
# A pool of Janus servers (docs/video.md): a JSON list of {"name", "url", "public_url"}. Unset,
# one node named "default" from the three settings above. Checked at start-up (openiop.E007).
JANUS_NODES = env("JANUS_NODES")
JANUS_MEDIA_IP = env("JANUS_MEDIA_IP")
JANUS_RTP_PORT_RANGE = env("JANUS_RTP_PORT_RANGE", "20000-40000")
JANUS_STUN_SERVER = env("JANUS_STUN_SERVER")
JANUS_STUN_PORT = env_int("JANUS_STUN_PORT", 3478)
JANUS_TURN_SERVER = env("JANUS_TURN_SERVER")
JANUS_TURN_PORT = env_int("JANUS_TURN_PORT", 3478)
JANUS_TURN_TYPE = env("JANUS_TURN_TYPE", "udp")
JANUS_TURN_USER = env("JANUS_TURN_USER")
JANUS_TURN_PASSWORD = env_secret("JANUS_TURN_PASSWORD")
JANUS_NAT_1_1_MAPPING = env("JANUS_NAT_1_1_MAPPING")
# ICE servers for browsers: STUN URLs, and TURN (coturn `use-auth-secret`) URLs + shared secret.
TELEHEALTH_STUN_URLS = env_list("TELEHEALTH_STUN_URLS")
TELEHEALTH_TURN_URLS = env_list("TELEHEALTH_TURN_URLS")
TELEHEALTH_TURN_SECRET = env_secret("TELEHEALTH_TURN_SECRET")
# Camera capture size asked of browsers ("WIDTHxHEIGHT"); simulcast layers are derived from it.
TELEHEALTH_CAPTURE = env("TELEHEALTH_CAPTURE", "640x480")
# Tickets (Janus tokens) expire after this many seconds (issue 5: "within minutes").
TELEHEALTH_TICKET_TTL = env_int("TELEHEALTH_TICKET_TTL", 300)
# Participants may enter the waiting room this many minutes before the start.
TELEHEALTH_OPENS_MINUTES_BEFORE = env_int("TELEHEALTH_OPENS_MINUTES_BEFORE", 15)

# The audit trail's rows are signed with HMAC keys kept outside the database (docs/audit.md), so
# a database reader can neither rewrite the chain nor cut rows from its end unnoticed.
OPENIOP_AUDIT_KEYS = audit_keys()
if not OPENIOP_AUDIT_KEYS and TESTING:
    OPENIOP_AUDIT_KEYS = {"test": "test-audit-key-0123456789-0123456789"}
elif not OPENIOP_AUDIT_KEYS and not PRODUCTION:
    OPENIOP_AUDIT_KEYS = {"demo": demo_audit_key()}
if not OPENIOP_AUDIT_KEYS or any(len(secret) < 32 for secret in OPENIOP_AUDIT_KEYS.values()):
    raise RuntimeError(
        "OPENIOP_AUDIT_KEY (or OPENIOP_AUDIT_KEY_FILE, or OPENIOP_AUDIT_KEYS to rotate) "
        "of 32+ characters is required"
    )
# Checkpoints of the trail's head go to each sink listed: "file" (append-only, below) and/or
# "syslog". Tests write none unless a test turns them on.
OPENIOP_AUDIT_CHECKPOINT_SINKS = env_list(
    "OPENIOP_AUDIT_CHECKPOINT_SINKS", "" if TESTING else "file"
)
OPENIOP_AUDIT_CHECKPOINT_FILE = env(
    "OPENIOP_AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.log")
)
# "/dev/log" (the local syslog daemon), or "host:port" for a remote one over UDP.
OPENIOP_AUDIT_SYSLOG_ADDRESS = env("OPENIOP_AUDIT_SYSLOG_ADDRESS", "/dev/log")
OPENIOP_AUDIT_SYSLOG_FACILITY = env("OPENIOP_AUDIT_SYSLOG_FACILITY", "authpriv")
# A checkpoint follows the commit of an append once this many seconds or rows have passed
# since the process wrote its last one; `manage.py audit_verify` always writes one.
OPENIOP_AUDIT_CHECKPOINT_SECONDS = env_int("OPENIOP_AUDIT_CHECKPOINT_SECONDS", 5)
OPENIOP_AUDIT_CHECKPOINT_ROWS = env_int("OPENIOP_AUDIT_CHECKPOINT_ROWS", 100)

# Participant pages, messages and reminders are in English and Spanish (docs/i18n.md). A
# signed-in person's language is the one stored on their account (User.language); before
# sign-in, the switch's cookie and then the browser's Accept-Language choose.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Spanish")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "openiop_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Phone numbers typed without "+country" are read as US numbers: the programs serve US states
# (telehealth is delivered where the patient is, CLINICAL.md §4.3). Stored as E.164.
PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"

STATIC_URL = "/static/"
# Collected static files (`manage.py collectstatic`): hashed names cached for a year as
# immutable, each with a .gz and a .br beside it that whitenoise serves to browsers that accept
# them (docs/performance.md). Production always serves them; the demo does too
# (scripts/demo.sh sets OPENIOP_COLLECTED_STATIC=1), so it weighs what participants download.
# Otherwise (tests, runserver) files are read from the source folders as they change.
COLLECTED_STATIC = PRODUCTION or env_bool("OPENIOP_COLLECTED_STATIC")
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles"))) if COLLECTED_STATIC else None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Tests that go through the demo loader keep their files out of var/.
DOCUMENTS_ROOT = (
    Path(tempfile.gettempdir()) / "openiop-test-documents" if TESTING else VAR_DIR / "documents"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Documents on charts: private files, outside the static and media roots, read only by the
    # download view. Another backend (an S3-compatible store through django-storages, say)
    # replaces it with DOCUMENTS_STORAGE_BACKEND and DOCUMENTS_STORAGE_OPTIONS (a JSON object).
    "documents": {
        "BACKEND": env("DOCUMENTS_STORAGE_BACKEND", "openiop.documents.storage.PrivateFileStorage"),
        "OPTIONS": json.loads(
            env(
                "DOCUMENTS_STORAGE_OPTIONS",
                json.dumps({"location": env("DOCUMENTS_ROOT", str(DOCUMENTS_ROOT))}),
            )
        ),
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
# Files with a content hash in their name are cached for ten years as `immutable`; the rest (the
# unhashed copies collectstatic keeps as well) get an hour, not its 60-second default.
WHITENOISE_MAX_AGE = 3600 if COLLECTED_STATIC else 0

# Background work: django-tasks. TASKS_BACKEND picks the queue (docs/deploy.md, "Task workers:
# database or RQ"):
#   db (the default)  jobs in the database; `manage.py db_worker` runs them.
#   rq                jobs in Redis (TASKS_REDIS_URL, else REDIS_URL); any number of
#                     `manage.py rqworker default --with-scheduler` run them, on any machine.
# A dotted path names any other django-tasks backend. Reminders and safety notices are sent
# exactly once on either: claim rows and the sweeps, not the queue, carry that promise.
TASKS_BACKEND_ALIASES = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND = TASKS_BACKEND_ALIASES.get(env("TASKS_BACKEND", "db"), env("TASKS_BACKEND", "db"))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend" if TESTING else TASKS_BACKEND,
        "QUEUES": ["default"],
    }
}
# RQ (django-rq): one queue. A job may run 10 minutes; past that RQ stops it (the claim stays
# open and the sweep sends it). Workers run django-tasks-rq's Job class, which calls the task,
# and tidy up every minute (openiop/lib/rqworker.py).
TASKS_REDIS_URL = env("TASKS_REDIS_URL") or env("REDIS_URL")
RQ_QUEUES = {
    "default": {
        "URL": TASKS_REDIS_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT_SECONDS", 600),
    }
}
RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "openiop.lib.rqworker.Worker"}
RQ_SHOW_ADMIN_LINK = False

# Text messages: the console backend logs them; "openiop.notifications.sms.twilio.TwilioBackend"
# sends them through Twilio with the three TWILIO_* values below.
OPENIOP_SMS_BACKEND = env(
    "OPENIOP_SMS_BACKEND",
    "openiop.notifications.sms.locmem.LocmemBackend"
    if TESTING
    else "openiop.notifications.sms.console.ConsoleBackend",
)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER")

# Mail goes to the console unless EMAIL_BACKEND names a real one; recipients are masked there.
EMAIL_BACKEND = env("EMAIL_BACKEND", "openiop.notifications.mail.MaskedConsoleBackend")
# For django.core.mail.backends.filebased.EmailBackend (the worker tests read what was sent).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "no-reply@openiop.invalid")
# Links in messages sent outside a request (portal invitations at admission) start with this.
OPENIOP_BASE_URL = env("OPENIOP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long a portal invitation link works.
OPENIOP_INVITATION_DAYS = env_int("OPENIOP_INVITATION_DAYS", 7)

# Logs carry no PHI: request paths hold opaque codes only, and nothing logs request bodies.
# A filter on the handler takes out any email address or phone number that slips through
# (library messages, exception text), including runserver's request lines.
# LOG_FORMAT=json: one JSON object a line for a log collector (docs/observability.md).
# Every line carries the request's id (X-Request-ID); contact details are redacted first.
LOG_FORMAT = env("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "openiop.lib.logredact.RedactContactDetails"},
        "request_id": {"()": "openiop.lib.requestids.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "openiop.lib.requestids.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["redact", "request_id"],
        }
    },
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

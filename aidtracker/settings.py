"""Settings for Aidtracker, read from the environment.

Defaults let a new user run the project at once: SQLite in the project
folder, debug on, a development secret key. Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and a PostgreSQL
DATABASE_URL (see README.md).
"""

import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    parse_cache_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is off; the development key is refused."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "audit",
    "accounts",
    "hospitals",
    "deployments",
    "outcomes",
    "records",
    "figures",
    "dashboards",
    "api",
    "interchange",
    "demo",
    "aidtracker.lib",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost of the middlewares that may touch the database: a lost
    # database becomes a clear 503 page (see aidtracker/failures.py).
    "aidtracker.lib.failures.DatabaseUnavailableMiddleware",
    # Where the request reads: a replica or the primary (aidtracker/lib/replicas.py);
    # before anything reads, and outside the data version's memo.
    "aidtracker.lib.replicas.ReplicaMiddleware",
    "aidtracker.lib.cache.DataVersionMiddleware",
    # A NUL character in an address or a form is a 400, before any query.
    "aidtracker.lib.requests.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's saved language (accounts/language.py).
    "accounts.language.UserLanguageMiddleware",
    # Sets request.user from "Authorization: Bearer <token>" on /api/ paths.
    "accounts.middleware.ApiTokenMiddleware",
    # Every view requires a signed-in user unless decorated with
    # django.contrib.auth.decorators.login_not_required (sign-in page,
    # /healthz). Anonymous /api/ requests get 401 JSON instead of a redirect.
    "accounts.middleware.LoginRequiredMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    # Gives the request its reader's part of the page cache's keys.
    "accounts.middleware.ReaderMiddleware",
    # No shared cache or browser history keeps what a signed-in user reads.
    "accounts.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username+IP is refused before the password is checked.
    "accounts.backends.AxesBackend",
    "accounts.backends.ProfileModelBackend",
]

ROOT_URLCONF = "aidtracker.urls"
WSGI_APPLICATION = "aidtracker.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.role",
                # A page rendered for the page cache carries a placeholder for its
                # CSRF token, replaced by a fresh token in every answer.
                "aidtracker.lib.cache.csrf_placeholder",
            ],
        },
    },
]

def _database(url: str, variable: str) -> dict:
    """A DATABASES entry with the project's connection settings."""
    entry = parse_database_url(url, BASE_DIR, variable)
    entry["ATOMIC_REQUESTS"] = False
    entry["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 0)
    entry["CONN_HEALTH_CHECKS"] = True
    if entry["ENGINE"].endswith("postgresql") and _PREPARED_STATEMENTS:
        # Parameters sent apart from the SQL (psycopg's server-side binding), so
        # that psycopg prepares a statement the connection has run 5 times: the
        # pages run the same few dozen statements over and over, and PostgreSQL
        # then skips planning them (a large share of its CPU on the load test's
        # pages: docs/performance-history.md).
        entry["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    return entry


# DATABASE_DIRECT_URL set means DATABASE_URL goes through a pooler in
# transaction mode (PgBouncer): one server connection per transaction, not
# per client. Such a pooler keeps no prepared statements and no cursors
# WITH HOLD between transactions, so both are off; and what needs a session
# of its own (an import's session-level advisory lock, migrations, restores)
# runs on DATABASE_DIRECT_URL, which reaches PostgreSQL itself
# (docs/scaling.md).
_DIRECT_URL = env_str("DATABASE_DIRECT_URL", "")
_PREPARED_STATEMENTS = env_bool("DJANGO_DB_PREPARED_STATEMENTS", not _DIRECT_URL)
if _DIRECT_URL and _PREPARED_STATEMENTS:
    raise ImproperlyConfigured(
        "DJANGO_DB_PREPARED_STATEMENTS=1 with DATABASE_DIRECT_URL set: a pooler in "
        "transaction mode (DATABASE_URL) cannot keep prepared statements; set it to 0."
    )
# The management commands that run on the direct connection when there is one.
DIRECT_DATABASE_COMMANDS = frozenset(
    {"import_bundle", "migrate", "restore", "backup", "loaddata", "generate_data",
     "rebuild_rollups", "flush", "createcachetable", "dbshell"}
)
_command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
DATABASES = {
    "default": _database(
        _DIRECT_URL if _DIRECT_URL and _command in DIRECT_DATABASE_COMMANDS
        else env_str("DATABASE_URL", "sqlite:///db.sqlite3"),
        "DATABASE_URL",
    )
}
if _DIRECT_URL:
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_DIRECT_URL is for PostgreSQL behind a pooler; DATABASE_URL is not PostgreSQL.")
    DATABASES["direct"] = _database(_DIRECT_URL, "DATABASE_DIRECT_URL")
    if not DATABASES["direct"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(f"DATABASE_DIRECT_URL={_DIRECT_URL!r} is not a postgres:// URL.")
    # The same database: tests make no second one for it.
    DATABASES["direct"]["TEST"] = {"MIRROR": "default"}
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while an import writes; a busy timeout makes a
    # second writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# Read replicas (aidtracker/lib/replicas.py, docs/scaling.md): streaming
# replicas of the primary, aliases replica1, replica2, ... The dashboards,
# lists, exports and the API read there; writes, imports, migrations and
# commands use the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS needs PostgreSQL: DATABASE_URL is not a postgres:// URL."
        )
    _replica = _database(_url, "DATABASE_REPLICA_URLS")
    if not _replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {_url!r} is not a postgres:// URL.")
    # A replica that does not answer is skipped after this long, not waited for.
    _replica["OPTIONS"].setdefault("connect_timeout", "2")
    # A physical replica holds the primary's test database too.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["aidtracker.lib.replicas.ReplicaRouter"]
# A replica further behind than this is skipped (reads go to the primary).
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 10)
# How often each process checks each replica's state (one query on it).
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5)
# How long a user who wrote (or read on the primary) may be held to the
# primary until their replica has replayed what they saw. At least the lag
# limit plus the check interval: after that, any replica still in use has
# replayed it.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 60)
if DATABASE_REPLICA_PIN_SECONDS < DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS:
    raise ImproperlyConfigured(
        f"DATABASE_REPLICA_PIN_SECONDS={DATABASE_REPLICA_PIN_SECONDS} must be at least "
        "DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS "
        f"({DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS}), or a user "
        "could read a replica that has not replayed their write yet."
    )
# Always read on the primary: a session or user just written must be found
# at once, and their own writes do not pin the user to the primary.
DATABASE_PRIMARY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "admin"})
# Requests under these paths read on the primary: the admin, imports, sign-in.
DATABASE_PRIMARY_PATHS = ("/admin/", "/import/", "/accounts/", "/healthz", "/i18n/")

# Figures are cached under keys that carry the data version (aidtracker/cache.py),
# so any shared or local cache is safe: locmem:// by default (per process),
# redis://host:6379/0 in production with several application servers.
CACHES = {
    "default": parse_cache_url(
        env_str("CACHE_URL", "locmem://"), disabled=env_bool("DJANGO_CACHE_DISABLED", False)
    )
}
CACHE_TIMEOUT = env_int("DJANGO_CACHE_TIMEOUT", 600)
# Sessions live in the database (shared by every application server); with a
# shared cache configured they are read through it.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else "django.contrib.sessions.backends.db"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail (the coordinators' digest, `send_digests`): printed to the console
# unless EMAIL_HOST names an SMTP server (README "Configuration").
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if env_bool("EMAIL_USE_TLS", True) else 25, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aidtracker@localhost")

# dumpdata/loaddata keep code primary keys under --natural-primary and write
# foreign keys to them as the code (aidtracker/serializers.py explains why).
SERIALIZATION_MODULES = {
    "json": "aidtracker.lib.fixture_formats.json",
    "jsonl": "aidtracker.lib.fixture_formats.jsonl",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Security (README "Security"). Production values follow DJANGO_DEBUG=0;
# each can be overridden from the environment.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer's health check may come over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a TLS-terminating proxy: DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO
if env_str("DJANGO_SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = (env_str("DJANGO_SECURE_PROXY_SSL_HEADER", ""), "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Idle timeout: the session expires after this many seconds without a request.
# accounts.middleware.IdleTimeoutMiddleware renews it at most once a minute
# rather than saving it on every request (SESSION_SAVE_EVERY_REQUEST would
# cost a database write per page).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_SECONDS", 60 * 60)
SESSION_IDLE_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False

# Content Security Policy (django-csp 4): our own origin only, no inline
# scripts or styles anywhere; charts get their data through json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
    },
}

# Brute-force protection (django-axes): 5 failed sign-ins for one username
# from one IP address lock that pair out for 15 minutes; the admin's sign-in too.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False
# Behind a reverse proxy every client arrives from the proxy's address: the
# client's own is the one the proxy appended to X-Forwarded-For. Trusted
# only from the addresses listed here (DJANGO_TRUSTED_PROXIES, e.g.
# 127.0.0.1 for nginx on the same machine); from any other address, or when
# unset, the connection's own address counts (accounts/security.py).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"

# Uploads: request bodies other than files stay small; files above 10 MB go
# to a temporary file instead of memory; imports refuse files above
# IMPORT_MAX_UPLOAD_MB (accounts.security.check_upload_size).
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice outlives the browser session (Django's default cookie
# is dropped when the browser closes); signed-in users also keep it in their
# preferences (aidtracker/i18n.py).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# ISO dates and 24-hour times in every language, Chinese number grouping by
# three with commas (GB/T 15835): aidtracker/lib/formats/. The format
# modules win over these settings; these serve where no language is active.
FORMAT_MODULE_PATH = ["aidtracker.lib.formats"]
DATE_FORMAT = SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
# Dates and times on pages and in reports: China Standard Time, as the
# hospitals keep their records.
TIME_ZONE = env_time_zone("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice(
        "DJANGO_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )},
}

# Uploaded files: import bundles wait under MEDIA_ROOT/imports between their
# dry run and the confirmed import. Never served as static files.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Imports from the web page run in a background process ("subprocess") so a
# large upload never meets a request timeout; "inline" runs them in the
# request (tests, tiny installations).
INTERCHANGE_RUNNER = env_choice("AIDTRACKER_IMPORT_RUNNER", "subprocess", ("subprocess", "inline"))
if _DIRECT_URL and INTERCHANGE_RUNNER == "inline":
    raise ImproperlyConfigured(
        "AIDTRACKER_IMPORT_RUNNER=inline with DATABASE_DIRECT_URL set: an import holds a "
        "session-level lock that a pooler in transaction mode cannot keep; use subprocess "
        "(the import's process connects to DATABASE_DIRECT_URL)."
    )
# That background process runs at this lower CPU priority (os.nice; 0 = the
# server's own): people reading dashboards go first, the import takes the
# processor time they leave. Its PostgreSQL work is not affected.
IMPORT_NICENESS = env_int("AIDTRACKER_IMPORT_NICENESS", 10, maximum=19)
# A finished import removes its upload at once; a checked bundle waiting for
# confirmation (or an interrupted one waiting to be started again) is kept
# this long. Each new upload clears older leftovers; so does
# `manage.py clean_uploads`.
INTERCHANGE_UPLOAD_KEEP_HOURS = env_int("AIDTRACKER_UPLOAD_KEEP_HOURS", 48)
# What an import reads at most (interchange/limits.py, docs/importing.md
# "Limits"): memory and time are bounded by these, not by the file, and a
# file beyond one is refused with an error naming the file, the line and
# the setting. A line of a CSV (or a row spanning lines through quoted line
# breaks), one cell, all members of a .zip or .xlsx unpacked, one member's
# unpacked/packed ratio (members above 1 MB), the strings of an .xlsx's
# shared-strings table and its size.
IMPORT_MAX_LINE_KB = env_int("IMPORT_MAX_LINE_KB", 1024)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767)
IMPORT_MAX_UNCOMPRESSED_MB = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 2048)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_SHARED_STRINGS = env_int("IMPORT_MAX_SHARED_STRINGS", 1_000_000)
IMPORT_MAX_SHARED_STRINGS_MB = env_int("IMPORT_MAX_SHARED_STRINGS_MB", 48)
# The rows of regions, hospitals, programs and teams, and the distinct people
# (trainees) of rotations (trainings), are kept in memory to check the rows
# that refer to them or describe them: at most this many of one file.
IMPORT_MAX_REFERENCE_ROWS = env_int("IMPORT_MAX_REFERENCE_ROWS", 100_000)
# Reading and checking a bundle may take this long (0 = no limit): one
# upload cannot hold the import lock, and every other import, for longer.
# The wait for another import does not count, nor do the writes.
IMPORT_MAX_CHECK_SECONDS = env_int("IMPORT_MAX_CHECK_SECONDS", 900)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

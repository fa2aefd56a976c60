"""ClusterDx settings: the only settings module; every deployment value comes from the environment.

Variables (see README.md and .env.example):
  DEBUG            "1"/"true" for development; default off.
  SECRET_KEY       required unless DEBUG is on.
  ALLOWED_HOSTS    comma-separated host names; default "localhost,127.0.0.1" in DEBUG.
  DATABASE_URL     default: a SQLite file in the project (db.sqlite3).
  CSRF_TRUSTED_ORIGINS  comma-separated origins, only needed behind a proxy on another origin.
  Security and sign-in (the block "Security and sign-in" below): BEHIND_TLS_PROXY,
  SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS,
  SECURE_HSTS_PRELOAD, SECURE_COOKIES, EMAIL_URL, DEFAULT_FROM_EMAIL, AXES_FAILURE_LIMIT,
  AXES_COOLOFF_MINUTES.
  SERVE_COLLECTED_STATIC  "1" serves collected, compressed static files even in DEBUG (bin/serve).
  CACHE_URL        the shared cache of derived library data; default the database table
                   `clusterdx_cache` (made by `manage.py createcachetable`). See "Caching" below.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key is harmless when DEBUG is on and nothing is deployed.
    SECRET_KEY = "dev-only-insecure-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served from the installed package
    "axes",  # login throttling (see "Security and sign-in")
    "ninja",  # the API docs page's Swagger UI, served from the package's static files
    "cases",
    "checklist",
    "compare",
    "firms",  # firm-level tables (issue 11)
    "django_tasks",
    "django_tasks_db",  # the tasks' database backend and its `manage.py db_worker`
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise (static files come precompressed) and only where safe: see the module.
    "clusterdx.compression.SafeGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "clusterdx.middleware.reject_nul_characters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header: see the end
    # Turns axes' lock-out flag into the lock-out page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clusterdx.urls"

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
                "clusterdx.navigation.navigation",  # the main navigation (base.html)
            ],
        },
    },
]

WSGI_APPLICATION = "clusterdx.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the background worker and a command (add_user, load_cases) share one
    # SQLite file: a writer waits up to 20 s for another's lock instead of failing at once
    # ("database is locked"), and a transaction takes the write lock when it starts, so two
    # that read then write cannot deadlock (Django's advice for SQLite under concurrency).
    # WAL lets readers go on while one writes (it is a no-op on the tests' in-memory file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Caching ------------------------------------------------------------------------------------
# Everything derived from the case library is cached under the library's data version
# (cases/derived.py). The cache must be shared by every process (gunicorn's workers, several
# machines), or a worker could keep serving what another worker's admin edit replaced: the
# version is read from the database on each request, so a shared cache is only about not
# computing the same thing per process. The default needs no extra server: a table of the same
# database (`createcachetable`; bin/serve, .ci/run and the README's production steps run it).
# The file cache would share only within one machine. For several machines, or to keep cache
# reads off the database, point CACHE_URL at Redis (redis://host:6379/0, needs the `redis`
# package) or memcached (pymemcache://host:11211, needs `pymemcache`).
CACHE_URL = os.environ.get("CACHE_URL", "")
_CACHE_BACKENDS = {
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "pymemcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
}
if not CACHE_URL:
    _cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "clusterdx_cache",
        # Paper ranges and comparisons make a few hundred keys; old versions' entries age out.
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
else:
    _scheme, _, _rest = CACHE_URL.partition("://")
    if _scheme not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(f"CACHE_URL: unknown scheme {_scheme!r}.")
    _location = CACHE_URL if _scheme.startswith("redis") else _rest
    _cache = {"BACKEND": _CACHE_BACKENDS[_scheme], "LOCATION": _location}
CACHES = {"default": {**_cache, "TIMEOUT": None, "KEY_PREFIX": "clusterdx"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js straight from the installed plotly package, so its version matches plotly.py.
    "clusterdx.staticfinders.PlotlyFinder",
]
# bin/serve (DEBUG on) serves the collected, hashed and compressed files as production does,
# so a first view moves plotly.js gzipped (1.5 MB, not 4.8) and later views none of it:
# hashed names are cached by browsers for a year ("immutable"). Plain `runserver` with DEBUG
# serves the source files as they are edited.
SERVE_COLLECTED_STATIC = env_flag("SERVE_COLLECTED_STATIC", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SERVE_COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if SERVE_COLLECTED_STATIC:
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "checklist:assessments"
LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background jobs (django-tasks): firm-table imports run in `manage.py db_worker`, which
# bin/serve starts. TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs them
# inside the request instead (the tests do). Uploaded files are kept under MEDIA_ROOT.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# After a change of library data (admin, import, undo) a background job draws the library's
# pages into the cache, so the first viewer does not wait (cases/warming.py). Off in the tests,
# where the cache is emptied before each test anyway.
WARM_LIBRARY_CACHE = os.environ.get("WARM_LIBRARY_CACHE", "1").lower() in {"1", "true", "yes"}

# The review paper every case datum cites, one line per line of the original extraction.
PAPER_PATH = BASE_DIR / "fixtures" / "paper.txt"

# Security and sign-in ----------------------------------------------------------------------
# Production (DEBUG off) defaults are the safe ones; each can be turned off from the
# environment for a plain-HTTP trial on localhost (README, "Security").
if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    # One year, as `check --deploy` asks; 0 turns HSTS off (e.g. while trying TLS out).
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # Covers only subdomains of the app's own host name, not the organisation's parent domain.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Asking browsers to hard-code the domain is the domain owner's decision (hstspreload.org),
    # so it stays off unless asked for; its reminder (security.W021) is silenced only then.
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Behind a TLS-terminating proxy (nginx, a load balancer) gunicorn sees plain HTTP from the
# proxy: trust the proxy's X-Forwarded-Proto for "is this HTTPS?" and its X-Forwarded-For for
# the client's address. Only set this when the proxy overwrites both headers, or a client
# could claim HTTPS or any address.
BEHIND_TLS_PROXY = env_flag("BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail (password reset). EMAIL_URL as dj-email-url reads it, e.g.
# smtp://user:password@mail.example.org:587/?tls=True. Development prints mail on the
# console; production without EMAIL_URL sends none, and then the site does not offer
# password reset by email at all (an admin sets a new password instead).
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(dj_email_url.parse(EMAIL_URL))  # EMAIL_BACKEND, EMAIL_HOST, ...
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PASSWORD_RESET_BY_EMAIL = bool(EMAIL_URL) or DEBUG
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clusterdx@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Login throttling (django-axes) on the site's and the admin's login. Failures are counted per
# username *and* address together: an attacker guessing one account from one address is
# stopped, but cannot lock that person out from elsewhere, nor lock out a whole office that
# shares one NAT address by failing on one name. (Guessing from many addresses is not stopped;
# the password validators keep guessable passwords out.)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username and address first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a successful login forgets earlier typos
AXES_LOCKOUT_CALLABLE = "clusterdx.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "clusterdx.accounts.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Content-Security-Policy (django-csp), sent on every response. Script and everything else
# only from this site: no inline script, no event-handler attributes, no other host, so text a
# user stored cannot run even if it reached a page as markup. Charts travel as JSON drawn by
# static/js/charts.js. Images may be data:/blob: URLs: plotly's PNG download draws through
# them. Frames: none (as X-Frame-Options DENY).
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402  (kept with the policy it spells)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline styles for plotly.js only: while it draws it injects <style> rules (modebar,
        # hover; some per chart, so no static copy or hash can stand in) and sets style
        # attributes through d3 (bar patterns). Styles cannot run script; script-src stays
        # strict. Our own templates use no inline style.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

"""Settings for both modes, read from the environment.

With no variable set the portal runs embedded: SQLite, an in-memory channel
layer, the database search backend, background work inline and e-mail on the
console.  Each real service switches on when its variable is set
(``DATABASE_URL``, ``REDIS_URL``, ``ELASTICSEARCH_URL``, ``EMAIL_URL``).
``PORTAL_MODE=production`` adds the hardening a public deployment needs and
refuses to start without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
The README's configuration table lists every variable read here.
"""
from __future__ import annotations

from pathlib import Path

from portal.core import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.get("PORTAL_DATA_DIR") or BASE_DIR / "var")

PORTAL_MODE = env.get("PORTAL_MODE", "embedded")
if PORTAL_MODE not in {"embedded", "production"}:
    raise env.BadEnvironmentVariable("PORTAL_MODE", f"must be embedded or production, not {PORTAL_MODE!r}", "production")
PRODUCTION = PORTAL_MODE == "production"

DEBUG = env.get_bool("DEBUG", False)
# The benchmark's cache count: every response says how many page and fragment lookups hit and missed
# (X-Cache-Status: hit=N miss=M).  Off in production.
CACHE_STATUS_HEADER = env.get_bool("CACHE_STATUS_HEADER", False)
# Shedding load (portal/core/overload.py): the requests one worker holds at once before it answers the busy page
# (503), and the seconds its Retry-After asks a client to wait.  At 20-50 ms a request, 48 held is one to
# two and a half seconds of queue.
MAX_REQUESTS_IN_FLIGHT = env.get_int("MAX_REQUESTS_IN_FLIGHT", 48, minimum=0)
BUSY_RETRY_AFTER = env.get_int("BUSY_RETRY_AFTER", 5, minimum=1)
if PRODUCTION and DEBUG:
    raise env.BadEnvironmentVariable("DEBUG", "must be false when PORTAL_MODE=production", "false")

# --- secrets and hosts -------------------------------------------------------
SECRET_KEY = env.get("SECRET_KEY") or ""
if PRODUCTION:
    if not SECRET_KEY:
        raise env.BadEnvironmentVariable("SECRET_KEY", "is required when PORTAL_MODE=production", "<50 or more random characters>")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise env.BadEnvironmentVariable("SECRET_KEY", "is too short or too simple: use 50 or more random characters", "<50 or more random characters>")
elif not SECRET_KEY:
    SECRET_KEY = env.local_secret_key(Path(env.get("PORTAL_KEY_DIR") or Path.home() / ".local" / "share" / "pbc-portal"))

if PRODUCTION:
    if env.get("ALLOWED_HOSTS") is None:
        raise env.BadEnvironmentVariable("ALLOWED_HOSTS", "is required when PORTAL_MODE=production", "portal.example.nhs.uk")
    ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", [])
    if "*" in ALLOWED_HOSTS:
        raise env.BadEnvironmentVariable("ALLOWED_HOSTS", "must name the hosts, not '*'", "portal.example.nhs.uk")
else:
    ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
PORTAL_BASE_URL = (env.get_url("PORTAL_BASE_URL", {"http", "https"}, "https://portal.example.nhs.uk") or "http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL

# --- applications --------------------------------------------------------------
INSTALLED_APPS = [
    # Our apps first so their templates override allauth's and Wagtail's.
    "portal",
    "directory",
    "redesign",
    "events",
    "forum",
    "search",
    "directory.areas",
    "wagtailnhsukfrontend",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.apps.UsersAppConfig",  # wagtail.users with a safer user editor (portal/core/users_admin.py)
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "django_tasks",
    "django_rq",
    "django_tasks_rq",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "servestatic",  # its configuration checks
]

MIDDLEWARE = [
    # First: past MAX_REQUESTS_IN_FLIGHT a worker answers the busy page (503) at once (portal/core/overload.py).
    "portal.core.overload.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ServeStatic (WhiteNoise's ASGI-capable successor): static files answered asynchronously, so uvicorn
    # streams them without Django's "StreamingHttpResponse must consume synchronous iterators" fallback.
    "servestatic.middleware.ServeStaticMiddleware",
    # A NUL byte or other control character in a query parameter: a plain 400 before anything reads it.
    "portal.core.middleware.RejectControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.core.middleware.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.core.audit.AuditActorMiddleware",
    "portal.core.middleware.RequireMFAForAdminRolesMiddleware",
    "portal.core.middleware.SignInForMembersContentMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: answers anonymous visitors' cached home and guidance pages before routing (portal/core/page_cache.py).
    "portal.core.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "portal.site.urls"
AUTH_USER_MODEL = "portal.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.core.context_processors.navigation",
            ],
        },
    },
]

ASGI_APPLICATION = "portal.site.asgi.application"

# --- database ----------------------------------------------------------------------
DATABASES = {
    "default": env.database_config("DATABASE_URL")
    or {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "portal.sqlite3",
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not PRODUCTION:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
if PRODUCTION and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise env.BadEnvironmentVariable("DATABASE_URL", "must point at PostgreSQL when PORTAL_MODE=production", "postgres://portal@db:5432/portal")
if PRODUCTION:
    # Under ASGI every request runs in a thread of its own, so a persistent connection per thread
    # (CONN_MAX_AGE) is never reused: a burst of requests opened one connection each until PostgreSQL
    # refused more ("too many clients", found by the benchmark). A pool per worker process caps and reuses them.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With a pool, CONN_HEALTH_CHECKS makes Django give psycopg_pool ``check=ConnectionPool.check_connection``:
    # each pooled connection is tested as it is lent, so after a database restart the first requests get
    # fresh connections instead of failing on the pool's dead ones (tests/reliability/test_faults.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 10, "timeout": 10}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (and allauth's rate limits) and the channel layer ---------------
REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers a miss instead of raising when Redis is down (portal/core/cache.py).
            "BACKEND": "portal.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "pbc"),
            # One connection pool per process: Django makes a cache object per request under ASGI (portal/core/redis_pool.py).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "pool_class": "portal.core.redis_pool.SharedConnectionPool"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis publish/subscribe: a message to a thread's group is published once and each worker
            # process hands it to its own sockets, instead of one Redis list entry per socket that every
            # consumer then pops (channels_redis.core).  It halves the workers' CPU per broadcast to 1,000
            # sockets (bench/RESULTS.md).  Delivery is at most once, which suits live updates: pages
            # work by reload and catch up on reconnect.  The receive loop polls with a 0.1 s timeout, so
            # redis-py 8's 5 s socket timeout (redis-py#4091) does not end it.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL}], "prefix": env.get("CHANNEL_PREFIX", "pbc-asgi")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pbc-portal"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Sessions and the viewer's role facts (portal/core/permissions.py) are kept in the cache only when every
# process shares it: an in-memory cache is one process's, and another process's sign-out or role change
# would go unseen there.  cached_db reads the session from Redis and writes it to both, so a signed-in
# page needs no session query; signing out deletes both copies (portal/core/sessions.py deletes the cached
# copy of any session row deleted elsewhere, e.g. on erasure).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
PORTAL_VIEWER_FACTS_CACHED = REDIS_URL is not None

# --- search --------------------------------------------------------------------------
ELASTICSEARCH_URL = env.get_url("ELASTICSEARCH_URL", {"http", "https"}, "http://127.0.0.1:9200")
SEARCH_INDEX_PREFIX = env.get("SEARCH_INDEX_PREFIX", "pbc")
SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend" if ELASTICSEARCH_URL else "search.backends.database.DatabaseBackend"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- background work -------------------------------------------------------------------
# Inline in the embedded mode; in production with Redis, an RQ queue run by
# ``manage.py task_worker`` (started by ``manage.py serve``): see portal/core/queue.py.
TASKS_QUEUE = PRODUCTION and REDIS_URL is not None
TASKS = {
    "default": {
        "BACKEND": env.get("TASKS_BACKEND")
        or ("django_tasks_rq.RQBackend" if TASKS_QUEUE else "django_tasks.backends.immediate.ImmediateBackend")
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
RQ = {"QUEUE_CLASS": "portal.core.queue.RetryingQueue", "JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "portal.core.queue.PortalWorker"}
TASKS_RETRY_DELAYS = env.get_int_list("TASKS_RETRY_DELAYS", [10, 60, 300])

# --- e-mail --------------------------------------------------------------------------------
globals().update(env.email_config("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "PbC Network <network@pbc-network.nhs.uk>")
# One prefix on the subject of every e-mail the portal sends: its own (portal/delivery.py), allauth's and Django's.
PORTAL_EMAIL_SUBJECT_PREFIX = "[PbC Network] "
EMAIL_SUBJECT_PREFIX = PORTAL_EMAIL_SUBJECT_PREFIX
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- accounts (django-allauth) ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Permissions from the viewer's cached role facts; signs nobody in (portal/core/permissions.py).
    "portal.core.permissions.CachedPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.site.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False  # log in again, so the approval check runs
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = PORTAL_EMAIL_SUBJECT_PREFIX
ACCOUNT_ADAPTER = "portal.site.accounts.AccountAdapter"
ACCOUNT_FORMS = {"signup": "portal.site.accounts.SignupForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # "key" is the address and the source together (portal/accounts.py): wrong passwords typed elsewhere
    # never lock the owner out.
    "login_failed": env.get("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PbC Network"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- language, dates, time zone ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Plain UK dates (13 November 2026; 13 Nov 2026 in table columns) from portal/core/formats/en_GB;
# input and number formats from Django's en_GB locale.
FORMAT_MODULE_PATH = ["portal.core.formats"]

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get("STATIC_ROOT") or (BASE_DIR / "static_collected" if PRODUCTION else DATA_DIR / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("MEDIA_ROOT") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "portal.core.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
SERVESTATIC_USE_FINDERS = not PRODUCTION
SERVESTATIC_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "PbC Network Portal"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("en-gb", "British English")]

# --- security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles and images from the
# portal itself only (fonts also from the NHS.UK design system's font host);
# no inline script anywhere outside the Wagtail admin
# (portal.core.middleware.ContentSecurityPolicyMiddleware relaxes it there).
# "connect-src 'self'" covers the portal's own websockets.  Frames: only the
# portal itself, for Wagtail's live preview in the admin.
_MEDIA_ORIGIN = [MEDIA_URL.split("/", 3)[0] + "//" + MEDIA_URL.split("/", 3)[2]] if MEDIA_URL.startswith("http") else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_MEDIA_ORIGIN],
        "font-src": ["'self'", "https://assets.nhs.uk"],  # the NHS.UK frontend's Frutiger web fonts
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
# Wagtail's admin still writes inline <script> blocks (InlinePanel, date
# pickers) and style attributes, and previews uploads from blob: URLs.
CSP_ADMIN_PREFIX = "/admin/"
CSP_ADMIN_ADDITIONS = {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"], "img-src": ["blob:"]}
# No avatars from gravatar.com: it would learn members' e-mail hashes, and the policy above forbids it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- the portal's own policies ------------------------------------------------------------------
# Members whose e-mail domain is on the allow-list (edited by administrators
# in the directory) are approved at sign-up; everyone else waits.
PORTAL_NETWORK_NAME = "East of England PbC Network"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "WARNING")},
}
FORM_RENDERER = "portal.site.forms.NHSFormRenderer"

# The home page's sections, in order: (key, title, "more" link, the app's module with ``home_items(user, limit, request=None)``,
# text when it has nothing, "more" label).  Read by portal/core/home_items.py; an app left out shows nothing.
# (key, heading, "all" address, module with home_items, text when empty, "all" link, what members see there, said to
# people who are not members in general terms instead of the text when empty: portal/core/home_items.py)
PORTAL_HOME_SECTIONS = [
    ("guidance", "Latest guidance", "/guidance/", "portal.guidance.home", "No guidance has been published yet.", "All guidance",
     "Network members can also read guidance written for members."),
    ("events", "Upcoming events", "/events/", "events.home", "No events are planned at the moment.", "All events",
     "Network members can also see and book events for members only."),
    ("questions", "Recent questions", "/forum/", "forum.home", "No questions have been asked yet.", "All message boards",
     "The message boards are for network members: members can read and answer the questions asked there."),
    ("case_studies", "Newest case studies", "/redesign/case-studies/", "redesign.home", "No case studies have been shared yet.", "All case studies",
     "Network members can also read the case studies shared with members."),
]

# --- settings owned by one app each (one line per setting, owner named) --------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.elasticsearch8", "URLS": [ELASTICSEARCH_URL], "INDEX_PREFIX": f"{SEARCH_INDEX_PREFIX}-wagtail-", "TIMEOUT": 5, "ATOMIC_REBUILD": True}} if ELASTICSEARCH_URL else WAGTAILSEARCH_BACKENDS  # owner: search — Wagtail admin search on Elasticsearch when configured
WAGTAILDOCS_DOCUMENT_FORM_BASE = "redesign.forms.SafeDocumentForm"  # owner: redesign

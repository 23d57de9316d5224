"""Django settings for 医养通办, read from environment variables with safe defaults.

Every variable is documented in docs/operations.md. The defaults give the embedded
set-up (SQLite under var/, Celery tasks run eagerly) so a newcomer needs no server.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YIYANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see docs/operations.md)")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The public base URL printed in QR codes on documents. Only a development set-up
# (DEBUG on) may fall back to the local address: a production QR code pointing at
# 127.0.0.1 would be printed on every certificate, so documents.E002 refuses to start
# without it (documents/environment.py).
PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")

INSTALLED_APPS = [
    "config.apps.YiyangAdminConfig",  # django.contrib.admin, its site open to the admin role only and audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files for /api/v1/docs/, served as our own static files
    "axes",
    "csp",
    "common",
    "institutions",
    "permissions",
    "workflows",
    "documents",
    "audit",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Refuses NUL and control characters in the path and query before any view or
    # query sees them (PostgreSQL cannot store NUL: it was a 500), and marks every
    # dynamic response no-store (pages, PDFs and API answers carry personal data).
    "common.middleware.RequestHygieneMiddleware",
    # The client's address (behind the trusted proxies) on every audit event the request records.
    "audit.middleware.AuditClientAddressMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.SessionTimeoutMiddleware",
    "permissions.read_only.ReadOnlyRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "web.context.navigation",
                "institutions.context_processors.county",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/ yet
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT ... FOR UPDATE; IMMEDIATE transactions take the write lock
    # at BEGIN, so two flow activations on the embedded database still serialise.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# How long an action waits for a case another request is saving before answering 409.
FLOW_LOCK_TIMEOUT_MS = int(os.environ.get("FLOW_LOCK_TIMEOUT_MS", "3000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Set once per connection (libpq ``options``) rather than with SET LOCAL in every
    # locking transaction: the decision's hot path then needs no savepoint around its lock
    # (workflows/locking.py). No statement of the product waits on a row lock for longer.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={FLOW_LOCK_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "permissions.backends.JurisdictionBackend",  # ModelBackend; the session's user comes with roles and grants
    "guardian.backends.ObjectPermissionBackend",
]
# ASVS 2.1.1: at least 12 characters; Django's own checks for the rest (similar to the
# username, a common password, digits only). create_user and the admin both apply them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "8"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- the client's address behind the reverse proxy ------------------------------------
# How many proxies in front of the application append to X-Forwarded-For (nginx: 1).
# 0 (the default) trusts no header and takes the socket's address: a client could
# otherwise write its own X-Forwarded-For and escape both the lock-out and the
# throttles. Behind a proxy with 0, every client has the proxy's address, so eight
# wrong passwords would lock an account for everyone (docs/operations.md).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# django-axes and the API throttles ask the same function (DRF's NUM_PROXIES rule).
AXES_CLIENT_IP_CALLABLE = "common.http.client_address"
if TRUSTED_PROXY_COUNT:
    # The proxy terminates TLS and says so; trusted only when a proxy is declared.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- HTTPS, headers and sessions (ASVS V3, V14) ----------------------------------------
# Production (DEBUG off) is HTTPS-only and passes `manage.py check --deploy`; `make run`
# (DEBUG on) keeps plain HTTP on 127.0.0.1.
HTTPS_ONLY = not DEBUG
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_ONLY)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
# A session ends after 30 minutes without a request and 12 hours after the log-in,
# whichever comes first (common.middleware.SessionTimeoutMiddleware); the cookie
# itself lives no longer than the absolute limit.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# An API token is good for 8 hours from its issue; each log-in issues a new one.
API_TOKEN_TTL = timedelta(hours=8)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this
# site only, no inline script or style, no plugins, no framing. The pages have no
# inline script (static/js/app.js) and no style attribute; the Swagger UI page of
# /api/v1/docs/ needs no relaxation either (api/urls.py); the standalone 400 and 500
# pages allow their own inline style by its hash (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the UI and API speak Chinese; strings stay marked for translation
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Uploaded files and issued documents live outside the web root and are served only
# through permission-checked views.
PRIVATE_STORAGE_DIR = Path(os.environ.get("PRIVATE_STORAGE_DIR", VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_STORAGE_DIR
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
VERIFY_MAX_BYTES = int(os.environ.get("VERIFY_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The throttles' counters. A local-memory cache counts per process (fine for one
# process); with several gunicorn workers set CACHE_URL to Redis so they share one count.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yiyang"}}

# --- Celery ---------------------------------------------------------------------------
# Without a broker the tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, documents are issued by a background thread of the web process, so a
# deciding click does not wait for the PDFs (documents/background.py).
DOCUMENTS_IN_BACKGROUND_THREAD = env_bool("DOCUMENTS_IN_BACKGROUND_THREAD", CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker collects the reference cycles WeasyPrint leaves after each document
# (documents/tasks.py) and freezes its start-up objects (config/celery.py); so collected,
# a steady worker stays near 300 MB over hundreds of renders (bench/worker_memory.py). The
# limit recycles a child that grows past it anyway (checked after each task).
DOCUMENTS_COLLECT_AFTER_RENDER = env_bool("DOCUMENTS_COLLECT_AFTER_RENDER", True)
CELERY_WORKER_GC_FREEZE = env_bool("CELERY_WORKER_GC_FREEZE", True)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_KB", "350000"))
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "yiyang")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
# One beat scheduler per installation (docs/operations.md). The timers (workflows/timers.py:
# deadlines, agreements, whatever a procedure registers) run every minute, so a 公示 ends
# or an agreement starts within a minute of its moment; a run the workers could not start
# within the minute is dropped (expires), the next one catches up.
CELERY_BEAT_SCHEDULE = {
    "run-due-timers": {"task": "workflows.tasks.run_due_timers", "schedule": 60.0, "options": {"expires": 55}},
    "retry-pending-documents": {"task": "documents.tasks.retry_pending_documents", "schedule": 600.0},
    # The audit log's anchor outside its table (docs/audit.md): once a day, at 00:30 county time.
    "issue-audit-statement": {
        "task": "documents.tasks.issue_audit_statement",
        "schedule": crontab(hour=0, minute=30),
        "options": {"expires": 3600},
    },
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "permissions.read_only.ActsOnlyWithAnActingRole",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per client address for anonymous calls, per user for the others; the rates are
    # read at each request (common/throttling.py), so a test can turn them on.
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttling.AnonymousRateThrottle",
        "common.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON_RATE", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER_RATE", "1200/min"),
    },
    # DRF's own reading of X-Forwarded-For trusts the header unless told how many proxies there are.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "医养通办 API",
    "DESCRIPTION": "医养通办 REST API v1。认证、错误格式和示例见仓库中的 docs/api.md。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The interactive page at /api/v1/docs/ loads Swagger UI from STATIC_URL, never a
    # CDN: county offices often run on closed networks. Like the schema, it is public.
    # Tags are the paths' first segment; these say what each group is, in the UI's language.
    "TAGS": [
        {"name": "auth", "description": "登录：用户名和密码换取令牌"},
        {"name": "me", "description": "当前用户：角色与所属单位"},
        {"name": "users", "description": "用户管理（系统管理员）"},
        {"name": "institutions", "description": "机构"},
        {"name": "cases", "description": "办件：申请、补正、撤回、合作协议"},
        {"name": "attachments", "description": "附件上传"},
        {"name": "tasks", "description": "审核任务：领取、办理、改派"},
        {"name": "documents", "description": "文书：查询、下载、核验、更正"},
        {"name": "audit", "description": "审计日志"},
        {"name": "calendar", "description": "工作日历：推算工作日、节假日与调休（调整由系统管理员维护）"},
    ],
    # Every operation's error statuses and their one body (api/schema.py), after the enums.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.document_errors"],
    # Two fields named "kind" with different choices: name each set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "CalendarDayKindEnum": ["holiday", "workday"],
        "InstitutionKindEnum": "institutions.models.Institution.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- the county -----------------------------------------------------------------------
# The directory of this installation's county (institutions/data/README.md): read by
# `load_county` and `seed_demo` when given no directory, and by the first `migrate` for
# the basis documents. The default is the demo county shipped in the repository.
COUNTY_DATA_DIR = Path(os.environ.get("COUNTY_DATA_DIR", BASE_DIR / "institutions" / "data" / "counties" / "panan"))

# --- documents ------------------------------------------------------------------------
SIGNING_KEYS_DIR = Path(os.environ.get("SIGNING_KEYS_DIR", VAR_DIR / "keys"))
DOCUMENT_FONT_FAMILY = os.environ.get("DOCUMENT_FONT_FAMILY", "AR PL UMing CN")
# The seal's characters are drawn as glyph outlines; a Hei face has a third of the
# Ming face's outline points and halves the seal's share of the render time.
SEAL_FONT_FAMILY = os.environ.get("SEAL_FONT_FAMILY", "WenQuanYi Micro Hei")
# Services the test-suite must reach instead of skipping (CI sets it).
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", False)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "yiyang-demo-2026")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# Every record is printed once, by the root logger's handler. Django's default config
# (applied before this one) gives the "django" logger a console handler of its own
# that fires when DEBUG is on; with records also propagating to root, each warning
# ("Not Found: /x") was printed twice. Naming the logger here replaces its handlers.
# "django.server" (runserver's request lines) keeps its own handler and format and
# does not propagate, so it too prints once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
# The locked-out page says for how long (permissions/lockout.py); the API says the same.
AXES_LOCKOUT_CALLABLE = "permissions.lockout.lockout_page"

"""Django settings for 医养通办, read from environment variables with safe defaults.

Every variable is documented in docs/operations.md. The defaults give the embedded
set-up (SQLite under var/, Celery tasks run eagerly) so a newcomer needs no server.
"""

import os
from pathlib import Path

import dj_database_url
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
    "django.contrib.admin",
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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "8"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# How long an action waits for a case another request is saving before answering 409.
FLOW_LOCK_TIMEOUT_MS = int(os.environ.get("FLOW_LOCK_TIMEOUT_MS", "3000"))

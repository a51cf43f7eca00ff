from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.static import serve

from stoa.api.embed import script as embed_script
from stoa.api.urls import v1 as api_v1
from stoa.core.views import favicon
from stoa.members import admin_login
from stoa.publishing.sitemaps import SITEMAPS
from stoa.publishing.sitemaps import section as sitemap_section
from stoa.publishing.views import robots_txt

# The back office's log-in under the site's log-in limits (stoa.members.admin_login): its
# form authenticates through allauth's adapter, and its address is answered by a view that
# limits tries per client before the admin's own ("admin:login" still names it).
admin.site.login_form = admin_login.AdminLoginForm

urlpatterns = [
    path("admin/login/", admin_login.login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    # The embedded discussion's script, at a stable address (stoa.api.embed).
    path("embed.js", embed_script, name="embed_script"),
    # /healthz, /readyz and /metrics (stoa.core.urls).
    path("", include("stoa.core.urls")),
    # An index of one sitemap per section (stoa.publishing.sitemaps).
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap-section"),
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT},
        name="media",
    ),
    path("api/v1/", api_v1),
    path("api/", include("stoa.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("stoa.members.urls")),
    path("comments/", include("stoa.discussion.urls")),
    path("series/", include("stoa.webcasts.urls")),
    path("search/", include("stoa.search.urls")),
    path("wordpress/", include("stoa.wordpress.urls")),
    path("review/", include("stoa.desk.urls")),
    path("", include("stoa.publishing.urls")),
]

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from stoa.core.views import favicon
from stoa.members import admin_login
from stoa.publishing.sitemaps import SITEMAPS
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
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT},
        name="media",
    ),
    path("accounts/", include("allauth.urls")),
    path("account/", include("stoa.members.urls")),
    path("comments/", include("stoa.discussion.urls")),
    path("series/", include("stoa.webcasts.urls")),
    path("wordpress/", include("stoa.wordpress.urls")),
    path("", include("stoa.publishing.urls")),
]

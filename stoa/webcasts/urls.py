from django.urls import path, re_path

from stoa.webcasts import views

app_name = "webcasts"
urlpatterns = [
    path("", views.series_list, name="list"),
    # Fixed first segments (models.RESERVED_SERIES_SLUGS): no series may take them.
    path("redeem/", views.redeem, name="redeem"),
    path("notify/", views.release_notice, name="notify"),
    re_path(
        r"^clips/(?P<pk>\d{1,12})/(?P<kind>video|captions|poster)$",
        views.clip_media,
        name="clip_media",
    ),
    path("<slug:slug>/", views.series_detail, name="series"),
    path("<slug:slug>/<slug:session>/", views.session_detail, name="session"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/(?P<session>[-a-zA-Z0-9_]+)/(?P<kind>video|captions)$",
        views.session_media,
        name="session_media",
    ),
]

"""Operations: the probes a load balancer or supervisor asks, and Prometheus's scrape."""

from django.urls import path

from stoa.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]

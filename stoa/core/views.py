"""Site-wide answers that belong to no app."""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
)
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from stoa.core import health, metrics


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask for /favicon.ico whatever the page says."""
    return HttpResponsePermanentRedirect(static("stoa/icon.svg"))


def _plain(text: str, status: int = 200) -> HttpResponse:
    # Probes ask every few seconds: nothing may keep an answer (nginx, the page cache).
    response = HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers. Touches nothing else (no database, no cache), so a
    database outage never makes a supervisor restart every web process at once."""
    return _plain("ok")


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database, the cache and the task queue can be used from here. 503
    names the checks that failed, nothing more (the reasons are in the log)."""
    failed = health.failed_checks()
    if failed:
        return _plain("not ready: " + ", ".join(failed), status=503)
    return _plain("ready: " + ", ".join(health.CHECKS))


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape (stoa.core.metrics): 404 when no scraper is configured, 403 to
    anyone but the scraper."""
    if not metrics.scrape_enabled():
        return HttpResponseNotFound("Not found\n", content_type="text/plain")
    if not metrics.may_scrape(request):
        response = HttpResponseForbidden("Forbidden\n", content_type="text/plain")
        response["Cache-Control"] = "no-store"
        return response
    return metrics.metrics_response()

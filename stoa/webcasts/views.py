"""The series pages, the session player, the files behind them, and the two forms.
Thin: access is decided in access.py, changes are made in services.py."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from stoa.core.clients import client_key
from stoa.core.templating import kept
from stoa.publishing.models import can_preview_posts
from stoa.webcasts import cached, media, services
from stoa.webcasts.access import (
    Reason,
    SeriesAccess,
    access_series,
    can_view_series,
    can_watch_clip,
    is_clip_public,
)
from stoa.webcasts.forms import RedeemForm, ReleaseNoticeForm
from stoa.webcasts.models import Series, Session
from stoa.webcasts.storage import protected_storage
from stoa.webcasts.validators import CONTENT_TYPES, EXTENSIONS

MEDIA_KINDS = ("video", "captions")
CLIP_MEDIA_KINDS = ("video", "captions", "poster")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")
# Wrong codes a member may try before being asked to wait (per REDEEM_WINDOW seconds), and
# wrong codes from one client whatever the account: someone cycling through accounts is
# slowed too. Twice a member's, so two members behind one office address are not stopped
# by each other's typos.
REDEEM_ATTEMPTS = 10
REDEEM_CLIENT_ATTEMPTS = 2 * REDEEM_ATTEMPTS
REDEEM_WINDOW = 15 * 60


def _series(slug: str) -> Series | None:
    """The series as cached.series_page reads it, kept in this process too under the
    content version (stoa.core.templating.kept): a warm page unpickles nothing. The views
    only read it; a series that does not exist is never kept."""
    return kept(f"series-object:{slug}", lambda: cached.series_page(slug))


def _series_or_404(request: HttpRequest, slug: str) -> Series:
    series = _series(slug)
    if series is None or not can_view_series(request.user, series):
        raise Http404("No such series.")
    return series


def _visible_clips(request: HttpRequest, series: Series) -> list[cached.ClipCard]:
    cards = []
    for clip in getattr(series, "clip_list", []):
        if can_watch_clip(request.user, clip, clip.post) and (card := cached.clip_card(clip)):
            cards.append(card)
    return cards


def _posts_of_clips(series: Series) -> dict[int, tuple[str, str]]:
    """Clip id -> (title, address) of the live article carrying it."""
    return {
        clip.pk: (clip.post.title, clip.post.get_absolute_url())
        for clip in getattr(series, "clip_list", [])
        if clip.post is not None and clip.post.is_live
    }


@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    """Every published series: the current and coming ones first, then past ones."""
    now = timezone.now()
    listing = cached.series_listing()
    current = [s for s in listing if not s.has_ended(now)]
    past = [s for s in listing if s.has_ended(now)]
    return render(request, "webcasts/series_list.html", {"current": current, "past": past})


class SeriesPiece(NamedTuple):
    """A series page drawn but for what is the reader's own (their access, the notice form,
    messages): its header, and its description, sessions and clips."""

    top: str
    bottom: str


def series_piece(request: HttpRequest, series: Series, access: SeriesAccess) -> SeriesPiece:
    """The series page's shared parts, kept under the content version per series, audience
    (member or visitor: what decides which clips play, publishing's rule), whether the
    reader may watch (sessions linked or locked) and the window's state (the days left
    change by the hour, not with the content). Editors see drafts and every clip: drawn for
    them each time, never kept."""
    moment = timezone.now()
    member = request.user.is_authenticated and request.user.is_active

    def build() -> SeriesPiece:
        context = {
            "series": series,
            "moment": moment,
            "can_watch": access.can_watch,
            "sessions": getattr(series, "session_list", []),
            "clips": _visible_clips(request, series),
            "clip_posts": _posts_of_clips(series),
        }
        return SeriesPiece(
            top=render_to_string("webcasts/includes/series_top.html", context),
            bottom=render_to_string("webcasts/includes/series_bottom.html", context),
        )

    if access.reason == Reason.STAFF or can_preview_posts(request.user):
        return build()
    window = (series.has_started(moment), series.has_ended(moment), series.days_left(moment))
    state = "-".join(str(part) for part in window)
    name = f"series:{series.slug}:{'member' if member else 'visitor'}:{access.can_watch}:{state}"
    return kept(name, build) or build()


def render_series(
    request: HttpRequest,
    series: Series,
    *,
    notice_form: ReleaseNoticeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = access_series(request.user, series)
    if not access.can_view:
        raise Http404("No such series.")
    piece = series_piece(request, series, access)
    context = {
        "series": series,
        "access": access,
        "reason": Reason,
        "top": Markup(piece.top),  # noqa: S704 - drawn by our own templates
        "bottom": Markup(piece.bottom),  # noqa: S704 - drawn by our own templates
        "notice_form": notice_form or ReleaseNoticeForm(initial={"series": series.slug}),
        "moment": timezone.now(),
    }
    return render(request, "webcasts/series_detail.html", context, status=status)


@require_GET
def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A series: what it is, who presents it, its sessions (locked or not), its clips, and
    what this reader can do next (log in, redeem a code, watch; or, once it has ended,
    ask to hear of the next release)."""
    return render_series(request, _series_or_404(request, slug))


def _refusal(request: HttpRequest, series: Series, access: SeriesAccess) -> HttpResponse:
    """A visitor is sent to log in; anyone else is told why not (403)."""
    if access.reason == Reason.VISITOR:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "webcasts/no_access.html",
        {"series": series, "access": access, "reason": Reason},
        status=403,
    )


def _session_or_404(request: HttpRequest, slug: str, key: str) -> tuple[Series, Session]:
    series = _series_or_404(request, slug)
    session = cached.find_session(series, key)
    if session is None:
        raise Http404("No such session.")
    return series, session


@require_GET
def session_detail(request: HttpRequest, slug: str, session: str) -> HttpResponse:
    """A session's player, for those who may watch it."""
    series, found = _session_or_404(request, slug, session)
    access = access_series(request.user, series)
    if not access.can_watch:
        return _refusal(request, series, access)
    sessions: list[Session] = getattr(series, "session_list", [])
    at = sessions.index(found)
    context = {
        "series": series,
        "session": found,
        "access": access,
        "number": at + 1,
        "previous_session": sessions[at - 1] if at > 0 else None,
        "next_session": sessions[at + 1] if at + 1 < len(sessions) else None,
        "video_type": _content_type(found.video.name) if found.video else "",
    }
    return render(request, "webcasts/session_detail.html", context)


def _content_type(name: str) -> str:
    for kind, extension in EXTENSIONS.items():
        if name.lower().endswith(extension):
            return CONTENT_TYPES[kind]
    return "application/octet-stream"


@require_http_methods(["GET", "HEAD"])
def session_media(request: HttpRequest, slug: str, session: str, kind: str) -> HttpResponseBase:
    """A session's video or captions: only ever to those who may watch it."""
    series, found = _session_or_404(request, slug, session)
    access = access_series(request.user, series)
    if not access.can_watch:
        if access.reason == Reason.VISITOR:
            return redirect_to_login(request.get_full_path())
        return HttpResponseForbidden(
            "You don't have access to this series.", content_type="text/plain; charset=utf-8"
        )
    file = found.video if kind == "video" else found.captions
    if kind not in MEDIA_KINDS or not file:
        raise Http404("No such file.")
    return media.serve(
        request, protected_storage(), file.name, content_type=_content_type(file.name)
    )


@require_http_methods(["GET", "HEAD"])
def clip_media(request: HttpRequest, pk: str, kind: str) -> HttpResponseBase:
    """A clip's uploaded video, captions or poster: to everyone, unless its article is not
    out yet or is for members; `private` unless everyone may have it (access.py)."""
    clip = cached.clip_for_media(int(pk))
    if clip is None or kind not in CLIP_MEDIA_KINDS:
        raise Http404("No such clip.")
    if not can_watch_clip(request.user, clip):
        if clip.post is not None and clip.post.is_live and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())  # a members-only article's
        raise Http404("No such clip.")  # its article or series is not out yet
    file = getattr(clip, kind)
    if not file:
        raise Http404("No such file.")
    return media.serve(
        request,
        protected_storage(),
        file.name,
        content_type=_content_type(file.name),
        shared=is_clip_public(clip),
    )


def _failure_counts(request: HttpRequest) -> dict[str, int]:
    """The cache keys wrong codes are counted under, with the most each may hold: this
    member's, and this client's (its address as the trusted proxies report it, IPv6 by /64)."""
    return {
        f"stoa:webcasts:redeem-failures:member:{request.user.pk}": REDEEM_ATTEMPTS,
        f"stoa:webcasts:redeem-failures:client:{client_key(request)}": REDEEM_CLIENT_ATTEMPTS,
    }


def _too_many_failures(request: HttpRequest) -> bool:
    counts = _failure_counts(request)
    found = cache.get_many(list(counts))
    return any((found.get(key) or 0) >= most for key, most in counts.items())


def _count_failure(request: HttpRequest) -> None:
    for key in _failure_counts(request):
        # The window starts at the first failure and is not pushed back by later ones.
        cache.add(key, 0, REDEEM_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, REDEEM_WINDOW)


@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """Redeem an access code (members only): enrolled, or told exactly why not."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    status = 200
    form = RedeemForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST":
        if _too_many_failures(request):
            form.add_error(
                None,
                "Too many wrong codes were tried from this account or this connection. "
                "Please wait a few minutes and try again.",
            )
            return _redeem_page(request, form, status=429)
        if form.is_valid():
            try:
                enrolment = services.redeem_code(
                    user=request.user,
                    code=form.cleaned_data["code"],
                )
            except ValidationError as error:
                _count_failure(request)
                form.add_error("code", error)
            else:
                messages.success(
                    request, f"You are enrolled in “{enrolment.series.title}”. Enjoy the sessions."
                )
                return HttpResponseRedirect(enrolment.series.get_absolute_url())
        status = 400
    return _redeem_page(request, form, status=status)


def _redeem_page(request: HttpRequest, form: RedeemForm, *, status: int) -> HttpResponse:
    return render(request, "webcasts/redeem.html", {"form": form}, status=status)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Members' posts are checked for CSRF; a visitor has no session a forger could use,
    and a token would cost every cached series page a cookie."""
    if not request.user.is_authenticated:
        return None

    def accept(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    return CsrfViewMiddleware(accept).process_view(request, accept, (), {})


@csrf_exempt
@require_POST
def release_notice(request: HttpRequest) -> HttpResponse:
    """Keep an address to write to when the next series is released."""
    if refusal := _csrf_refusal(request):
        return refusal
    form = ReleaseNoticeForm(request.POST)
    slug = request.POST.get("series", "")
    series = _series(slug) if SLUG.fullmatch(slug) else None
    if series is not None and not can_view_series(request.user, series):
        series = None
    if form.is_valid() and not form.is_robot():
        try:
            services.request_release_notice(email=form.cleaned_data["email"], series=series)
        except ValidationError as error:
            form.add_error("email", error)
    if form.is_valid():
        # The same answer whether the address was new, known or a robot's: nobody learns
        # from this page who else asked.
        context: dict[str, Any] = {"series": series, "email": form.cleaned_data["email"]}
        return render(request, "webcasts/notice_sent.html", context)
    if series is not None:
        return render_series(request, series, notice_form=form, status=400)
    return render(request, "webcasts/notice_form.html", {"notice_form": form}, status=400)

"""The Django side of the browser suite, run as a separate process with the server's
environment (its own STOA_VAR_DIR, so its own SQLite database and file cache):

    python browser/site_script.py prepare     # settings + moderator; prints JSON
    python browser/site_script.py approve 12 13 14   # approve these comments

`prepare` runs after `migrate` and `stoa demo`, before gunicorn starts. It switches the flood
rule off (every request of the suite comes from 127.0.0.1, so the 15 s per-address rule would
refuse most comments) and keeps the first-comment hold on (the suite checks "awaiting
moderation"). It creates the moderator from STOA_BROWSER_USERNAME / STOA_BROWSER_PASSWORD (never
on the command line) and prints which posts the tests use, as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")


def _post_info(post: Any) -> dict[str, Any]:
    return {"id": post.pk, "path": post.get_absolute_url(), "title": post.title}


def prepare() -> dict[str, Any]:
    from django.db.models import Count, Q

    from stoa.discussion.models import CommentStatus, DiscussionSettings
    from stoa.members.models import User
    from stoa.publishing.models import Post, PostVisibility

    settings = DiscussionSettings.current()
    settings.rate_limit_seconds = 0
    settings.hold_first_comment = True
    settings.paginate = False
    settings.save()

    username = os.environ["STOA_BROWSER_USERNAME"]
    User.objects.create_superuser(
        username=username,
        email=f"{username}@example.com",
        password=os.environ["STOA_BROWSER_PASSWORD"],
        first_name="Mo",
        last_name="Derator",
    )

    approved = Q(comments__status=CommentStatus.APPROVED)
    posts = list(
        Post.objects.published()
        .filter(comments_open=True, visibility=PostVisibility.PUBLIC)
        .annotate(
            approved=Count("comments", filter=approved),
            top_level=Count("comments", filter=approved & Q(comments__parent__isnull=True)),
        )
        .order_by("approved", "-published_at", "pk")
    )
    if len(posts) < 3:
        raise SystemExit("the demo has fewer than three posts open for comments")
    quiet = posts[:2]  # the fewest comments: one for hostile comments, one for the rest
    threaded = next((p for p in posts[2:] if p.top_level >= 2), None)
    if threaded is None:
        raise SystemExit("no demo post has two approved top-level comments to reply to")
    return {
        "xss_post": _post_info(quiet[0]),
        "quiet_post": _post_info(quiet[1]),
        "reply_post": _post_info(threaded),
        **_webcasts(),
    }


def _webcasts() -> dict[str, Any]:
    """A public post whose clip is a video file, and a recorded session the demo's enrolled
    member may watch and its reader (no enrolment) may not."""
    from stoa.members.models import User
    from stoa.publishing.models import Post, PostVisibility
    from stoa.webcasts.access import can_watch_session
    from stoa.webcasts.models import Clip, Session

    public = Post.objects.published().filter(visibility=PostVisibility.PUBLIC)
    clip = (
        Clip.objects.filter(post__in=public)
        .exclude(video="")
        .select_related("post", "series")
        .order_by("pk")
        .first()
    )
    enrolled = User.objects.get(email="enrolled@example.com")
    reader = User.objects.get(email="reader@example.com")
    session = next(
        s
        for s in Session.objects.select_related("series").in_order()
        if s.video and can_watch_session(enrolled, s) and not can_watch_session(reader, s)
    )
    if clip is None or clip.post is None:
        raise SystemExit("no public demo post carries a clip with a video file")
    return {
        "clip_post": {**_post_info(clip.post), "series": clip.series.title},
        "session": {
            "path": session.get_absolute_url(),
            "title": session.title,
            "series": session.series.title,
            "series_path": session.series.get_absolute_url(),
            "video": session.media_url("video"),
        },
    }


def approve(ids: list[int]) -> dict[str, Any]:
    from stoa.discussion import services
    from stoa.discussion.models import Comment, CommentStatus
    from stoa.members.models import User

    moderator = User.objects.get(username=os.environ["STOA_BROWSER_USERNAME"])
    comments = list(Comment.objects.filter(pk__in=ids).select_related("post").order_by("pk"))
    for comment in comments:
        services.approve_comment(comment=comment, actor=moderator)
    statuses = dict(Comment.objects.filter(pk__in=ids).values_list("pk", "status"))
    return {
        "approved": sum(status == CommentStatus.APPROVED for status in statuses.values()),
        "missing": sorted(set(ids) - set(statuses)),
    }


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[:1] == ["prepare"]:
        result = prepare()
    elif argv[:1] == ["approve"]:
        result = approve([int(arg) for arg in argv[1:]])
    else:
        sys.stderr.write(__doc__ or "")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

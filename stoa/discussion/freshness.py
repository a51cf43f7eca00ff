"""What of the discussion readers can see (stoa.core.freshness): approved comments, and the
settings that page and order threads. A held, spam or trashed comment is seen by nobody but
its writer (on a page never shared), so writing one starts no new version: a bot posting spam
five times a second cannot empty the page cache. Reports, events and subscriptions show on
no shared page."""

from stoa.core.freshness import Shown
from stoa.discussion.forms import REMEMBER_COOKIE
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings

SHOWN = [
    Shown(
        Comment,
        when=lambda comment: comment.status == CommentStatus.APPROVED,
        fields=("status",),
    ),
    Shown(DiscussionSettings),
]

# What makes a page a reader's own (stoa.core.readers): their remembered details fill the
# form; a comment's owner token shows them their held comment and its edit links; a reply in
# progress without JavaScript puts the form under that comment.
PERSONAL_COOKIES = (REMEMBER_COOKIE,)
PERSONAL_QUERY = ("c", "replytocom")
# Comment pages are the same for everyone.
SHARED_QUERY = ("cpage",)

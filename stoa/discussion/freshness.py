"""What of the discussion readers can see (stoa.core.freshness): approved comments, and the
settings that page and order threads. A held, spam or trashed comment is seen by nobody but
its writer (on a page never shared), so writing one starts no new version: a bot posting spam
five times a second cannot empty the page cache. Reports, events and subscriptions show on
no shared page."""

from stoa.core.freshness import Shown
from stoa.discussion.forms import REMEMBER_COOKIE
from stoa.discussion.models import (
    Comment,
    CommentStatus,
    DeclinedClaim,
    DiscussionSettings,
    Subscription,
)
from stoa.members.cache import Owned

SHOWN = [
    Shown(
        Comment,
        when=lambda comment: comment.status == CommentStatus.APPROVED,
        fields=("status",),
    ),
    Shown(DiscussionSettings),
]

# What shows on a member's own account page (stoa.members.cache): their comments, held ones
# too; their subscriptions; the guest comments written with an address they verified, less
# those they said are not theirs. A guest's comment belongs to nobody yet and may be offered
# to whoever verified its address, so it redraws every member's page.
OWNED = [
    Owned(Comment, unowned_shows=True),
    Owned(Subscription),
    Owned(DeclinedClaim),
]

# What makes a page a reader's own (stoa.core.readers): their remembered details fill the
# form; a comment's owner token shows them their held comment and its edit links; a reply in
# progress without JavaScript puts the form under that comment.
PERSONAL_COOKIES = (REMEMBER_COOKIE,)
PERSONAL_QUERY = ("c", "replytocom")
# Comment pages are the same for everyone.
SHARED_QUERY = ("cpage",)

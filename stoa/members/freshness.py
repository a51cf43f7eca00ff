"""What of members readers can see (stoa.core.freshness): profiles, printed on public
profile pages and beside members' comments. Accounts themselves are not: a log-in writes
`last_login`, and must not empty the page cache. A change to the account's own names, which
show where a member chose no display name, is announced by members.services."""

from allauth.account.models import EmailAddress

from stoa.core.freshness import Shown
from stoa.members.cache import Owned
from stoa.members.models import Profile, User

SHOWN = [Shown(Profile)]

# What shows on a member's own pages, kept for them (stoa.members.cache): their profile and
# names (the profile form), what their account may read (is_active), and the addresses they
# verified (the guest comments offered to them).
OWNED = [Owned(Profile), Owned(User, member="id"), Owned(EmailAddress)]

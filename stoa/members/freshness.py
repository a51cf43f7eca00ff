"""What of members readers can see (stoa.core.freshness): profiles, printed on public
profile pages and beside members' comments. Accounts themselves are not: a log-in writes
`last_login`, and must not empty the page cache. A change to the account's own names, which
show where a member chose no display name, is announced by members.services."""

from stoa.core.freshness import Shown
from stoa.members.models import Profile

SHOWN = [Shown(Profile)]

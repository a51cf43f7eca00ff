"""The moderation pipeline: each rule a function, run in order by a policy class.

The same rules judge a comment when it is sent and advise the commenter before they send it
(the form's preview), so the two can never disagree; only the rules about what the text says
advise (ModerationPolicy.advisory), never those about who a guest says they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import Model, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core.clients import limit_key
from stoa.discussion.access import can_moderate
from stoa.discussion.models import (
    DUPLICATE_KEY_LENGTH,
    Comment,
    CommentStatus,
    DiscussionSettings,
)
from stoa.discussion.sanitizers import clean_comment
from stoa.members.models import User
from stoa.publishing.models import Post


class Action(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Verdict:
    """What a rule decided, which rule, and the words a commenter or moderator reads."""

    action: Action
    rule: str
    message: str = ""


@dataclass
class Candidate:
    """A comment about to be written, as the rules see it."""

    post: Post
    text: str
    author_name: str
    author_email: str
    author_url: str = ""
    user: User | None = None
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    exclude_pk: int | None = None
    now: dt.datetime = field(default_factory=timezone.now)
    # How the text becomes display HTML (services.comment_markup for its post); drawn only
    # when a rule or the writer asks, so that a comment refused before any rule reads its
    # markup (a flood, a robot's honeypot) costs no sanitising.
    draw: Callable[[str], str] = clean_comment

    @cached_property
    def html(self) -> str:
        return self.draw(self.text)


Rule = Callable[[Candidate, DiscussionSettings], Verdict | None]


def same_text(model: type[Model], field: str, value: str) -> QuerySet[Any]:
    """Rows of `model` whose `field` is `value` but for case: the database's LOWER() on both
    sides, which an index on LOWER(field) answers (Comment's, and the members' addresses':
    migrations/0008). Django's `__iexact` is a LIKE on SQLite, which no index answers: on a
    site with 400,000 comments each guest comment scanned them all (issue 12). Both fold the
    case of ASCII letters alone on SQLite, so the verdicts are those of `__iexact`."""
    key = f"{field}_key"
    return model._default_manager.alias(**{key: Lower(field)}).filter(**{key: Lower(Value(value))})


def _others(comments: QuerySet[Comment], c: Candidate) -> QuerySet[Comment]:
    """Leave out the comment being judged (when an edit is judged again)."""
    return comments.exclude(pk=c.exclude_pk) if c.exclude_pk is not None else comments


_LINK = re.compile(r"<a\s[^>]*href", re.IGNORECASE)


def comments_closed(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Refuse a comment on a post whose comments are closed, by hand or by age."""
    closed = not c.post.comments_open
    if s.auto_close_days and c.post.published_at is not None:
        closed = closed or c.post.published_at < c.now - dt.timedelta(days=s.auto_close_days)
    if closed:
        return Verdict(Action.REFUSE, "closed", "Comments are closed on this post.")
    return None


def honeypot(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """A field people never see was filled in: a robot. Refused, and nothing written.

    Storing each one as spam gave anyone a lever: a robot sending a hundred a second filled
    the database and the spam queue, and every write took a worker from the readers (issue
    10). Akismet offers the same for the surest spam ("silently discard the worst and most
    pervasive spam"). Unlike Akismet, the sender is told, with the text handed back: a
    browser's autofill can fill a hidden field, and a person must not lose what they wrote.
    The field is in every page's HTML, so telling a robot teaches it nothing new."""
    if c.honeypot.strip():
        return Verdict(
            Action.REFUSE,
            "honeypot",
            "Your comment was not sent: a field that stays empty for people (it is hidden "
            "from view) was filled in, as robots do. If you are not one, your browser's "
            "autofill may have done it: your text is below, send it again.",
        )
    return None


def too_fast(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Refuse a second comment from the same client, email or account within the flood
    interval (WordPress's check_comment_flood_db, which also counts by address and email).
    Moderators are exempt, as in WordPress: they reply to many comments in a row.

    A client is its limit key (stoa.core.clients.limit_key): an IPv4 address, or an IPv6
    /64, since whoever holds one address of a /64 holds all 2^64 of them."""
    if not s.rate_limit_seconds or can_moderate(c.user):
        return None
    since = c.now - dt.timedelta(seconds=s.rate_limit_seconds)
    if _recent_from(c, since) or _same_client_within(c, since):
        return Verdict(Action.REFUSE, "flood", "You are posting comments too quickly. Slow down.")
    return None


def _recent_from(c: Candidate, since: dt.datetime) -> bool:
    """Whether a comment since `since` has this candidate's address, email (but for case)
    or account: one statement written out, not built by the ORM.

    The rule runs for every comment sent, twice (judged, then confirmed inside the write),
    and it is what a robot's POST costs before it is turned away: the ORM took about 0.5 ms
    to build this query (the LOWER() alias, the OR of lookups, the exclusion) and SQLite
    under 0.03 ms to answer it (issues 10 and 12). The same indexes answer it: LOWER(email)
    (comment_email_key), (ip_address, created_at) (comment_ip), the user's foreign key and
    created_at; test_write_path checks the plan on both databases."""
    n = _names(Comment)
    same: list[str] = []
    params: list[Any] = [connection.ops.adapt_datetimefield_value(since)]
    if c.author_email:
        same.append(f"LOWER({n['author_email']}) = LOWER(%s)")
        params.append(c.author_email)
    if c.ip_address:
        same.append(f"{n['ip_address']} = %s")
        params.append(c.ip_address)
    if c.user is not None:
        same.append(f"{n['user']} = %s")
        params.append(c.user.pk)
    if not same:
        return False
    sql = f"FROM {n['table']} WHERE {n['created_at']} >= %s AND ({' OR '.join(same)})"
    if c.exclude_pk is not None:
        sql += f" AND {n['id']} <> %s"
        params.append(c.exclude_pk)
    return _exists(sql, params)


def _names(model: type[Model]) -> Mapping[str, str]:
    """A model's table (under "table") and its fields' columns, quoted for this database:
    the written statements below take their names from the models, so that a renamed field
    cannot leave one behind; every value they compare is a parameter."""
    return _quoted_names(model, connection.vendor)


@functools.cache
def _quoted_names(model: type[Model], vendor: str) -> Mapping[str, str]:
    # Worked out once per model (and database): three of them quoted again for every
    # comment cost more than the statement they name (issue 12). Read-only: one copy
    # serves every caller and thread.
    quote, meta = connection.ops.quote_name, model._meta
    names = {field.name: quote(str(field.column)) for field in meta.concrete_fields}
    return MappingProxyType({**names, "table": quote(meta.db_table)})


def _exists(sql: str, params: Sequence[Any]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 {sql} LIMIT 1", params)
        return cursor.fetchone() is not None


def _same_client_within(c: Candidate, since: dt.datetime) -> bool:
    """Whether a recent comment came from another address of this IPv6 client (its /64, or
    the IPv4 address an IPv4-mapped one carries). The stored addresses are text, which SQL
    cannot group by prefix: the few comments of the flood interval are compared here."""
    address = c.ip_address
    if not address or ":" not in address:
        return False  # IPv4: the exact address, matched in SQL, is the whole client
    key = limit_key(address)
    recent = _others(Comment.objects.filter(created_at__gte=since, ip_address__isnull=False), c)
    addresses = recent.order_by().values_list("ip_address")
    return any(limit_key(other) == key for (other,) in addresses.distinct())


def duplicate(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Refuse the same text from the same author on the same post (WordPress's dupe check).

    A written statement, as the flood rule's (_recent_from), for the same reason: asked
    twice for every comment sent, it cost more to build with the ORM than to answer. The
    author is the account, or a guest's address but for case (comment_email_key)."""
    n = _names(Comment)
    params: list[Any]
    # The post, the text's beginning and a guest's address, as the comment_duplicate_key
    # index has them (the database uses an index on an expression only for that very
    # expression): the few comments of the post beginning so from this address, however
    # many others the address wrote and however many comments of the thread begin alike
    # (issue 12: a fifth of a 5,000-comment thread began as the load test's writer's did).
    # A member's, the post's beginning so, the account compared on those rows in a form no
    # index answers (`+ 0`, the usual way to tell SQLite's planner so): without statistics,
    # it read every comment of the member by its index instead. The whole text is compared
    # so too (`|| ''`): SQLite rewrites the index's expression with the value of a plain
    # `text = ?` (its constant propagation), then no longer finds the index.
    if c.user is not None:
        author, params = f"{n['user']} + 0 = %s", [c.user.pk]
    else:
        author, params = f"LOWER({n['author_email']}) = LOWER(%s)", [c.author_email]
    text = c.text.strip()
    key = _substr(n["text"])
    sql = (
        f"FROM {n['table']} WHERE {n['post']} = %s AND {key} = %s AND {author} "  # noqa: S608 - names from the model
        f"AND {n['text']} || '' = %s AND {n['status']} <> %s"
    )
    params = [c.post.pk, text[:DUPLICATE_KEY_LENGTH], *params, text, CommentStatus.TRASH.value]
    if c.exclude_pk is not None:
        sql += f" AND {n['id']} <> %s"
        params.append(c.exclude_pk)
    if _exists(sql, params):
        return Verdict(
            Action.REFUSE,
            "duplicate",
            "Duplicate comment detected: it looks as though you have already said that.",
        )
    return None


def _substr(column: str) -> str:
    """The beginning of a text column as the comment_duplicate_key index holds it: Django
    writes Substr as SUBSTRING on PostgreSQL and SUBSTR on SQLite."""
    function = "SUBSTRING" if connection.vendor == "postgresql" else "SUBSTR"
    return f"{function}({column}, 1, {DUPLICATE_KEY_LENGTH})"


def _first_listed(keys: list[str], c: Candidate) -> str | None:
    haystacks = [c.text, c.author_name, c.author_email, c.author_url, c.ip_address or ""]
    lowered = [h.lower() for h in haystacks] + [c.user_agent.lower()]
    return next((key for key in keys if any(key in h for h in lowered)), None)


def disallowed(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Anything on the disallowed list (a word, name, email, IP or URL) is spam."""
    key = _first_listed(s.lines(s.disallowed_keys), c)
    return Verdict(Action.SPAM, "disallowed", f"Contains “{key}”.") if key else None


def moderation_words(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Anything on the moderation list holds the comment for a moderator."""
    key = _first_listed(s.lines(s.moderation_keys), c)
    if key:
        return Verdict(
            Action.HOLD, "moderation-word", f"It contains “{key}”, which a moderator reads first."
        )
    return None


def too_many_links(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """More links than the limit (bare URLs count, as they become links) hold a comment."""
    count = len(_LINK.findall(c.html))
    if count > s.max_links:
        return Verdict(
            Action.HOLD,
            "links",
            f"It has {count} links; comments with more than {s.max_links} wait for a moderator.",
        )
    return None


def in_good_standing(user: User | None) -> bool:
    """A member whose comments have never been marked spam."""
    if user is None or not user.is_active:
        return False
    return not Comment.objects.filter(user=user, status=CommentStatus.SPAM).exists()


def members_address(email: str) -> bool:
    """Whether a member's account has this address (as its email, or one of allauth's,
    verified or not), case-insensitively."""
    if not email:
        return False
    return (
        same_text(User, "email", email).exists() or same_text(EmailAddress, "email", email).exists()
    )


def trusted_guest(name: str, email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether a guest signing with this name and address has been approved before.

    WordPress's check_comment() ("Comment author must have a previously approved comment")
    asks for an approved comment with the same name *and* email. A guest proves neither, so
    the trust goes no further than guests' comments: an address that belongs to a member
    (theirs, an editor's) never lets a guest through, whatever was approved under it, and a
    member is judged by their account instead (in_good_standing)."""
    name, email = name.strip(), email.strip()
    if not name or not email:
        return False
    # One written statement (three ORM queries cost about 1 ms to build on every guest's
    # comment): an approved guest comment signed so, under no member's address, each part
    # read through a LOWER() index (comment_email_key; migration 0008's on the members'
    # addresses).
    n, users, addresses = _names(Comment), _names(User), _names(EmailAddress)
    sql = (
        f"FROM {n['table']} WHERE LOWER({n['author_email']}) = LOWER(%s) "  # noqa: S608 - names from the models
        f"AND {n['status']} = %s AND {n['user']} IS NULL "
        f"AND LOWER({n['author_name']}) = LOWER(%s) "
        f"AND NOT EXISTS (SELECT 1 FROM {users['table']} "
        f"WHERE LOWER({users['email']}) = LOWER(%s)) "
        f"AND NOT EXISTS (SELECT 1 FROM {addresses['table']} "
        f"WHERE LOWER({addresses['email']}) = LOWER(%s))"
    )
    params: list[Any] = [email, CommentStatus.APPROVED.value, name, email, email]
    if exclude_pk is not None:  # an edit judged again is not its own earlier comment
        sql += f" AND {n['id']} <> %s"
        params.append(exclude_pk)
    return _exists(sql, params)


def first_comment(c: Candidate, s: DiscussionSettings) -> Verdict | None:
    """Hold a first comment: a member's until their account is in good standing, a guest's
    until a moderator approved one signed with the same name and address (trusted_guest)."""
    if not s.hold_first_comment:
        return None
    if c.user is not None:
        trusted = in_good_standing(c.user)
    else:
        trusted = trusted_guest(c.author_name, c.author_email, exclude_pk=c.exclude_pk)
    if trusted:
        return None
    return Verdict(
        Action.HOLD,
        "first-comment",
        "A first comment waits for a moderator; after that, yours appear at once.",
    )


class ModerationPolicy:
    """Runs the rules in order; the first that decides wins, else the comment is approved.

    A subclass named in STOA["MODERATION_POLICY"] may change which rules run, in which order,
    what a commenter is told before sending, and which rules an author's edit goes through.
    """

    # The flood rule comes before every judgement of what was sent (the honeypot included),
    # as WordPress's wp_allow_comment() checks the flood before the disallowed list: a robot
    # posting five times a second is slowed down (refused, nothing written) rather than
    # judged and stored as spam each time.
    rules: Sequence[Rule] = (
        comments_closed,
        too_fast,
        honeypot,
        duplicate,
        disallowed,
        moderation_words,
        too_many_links,
        first_comment,
    )
    # The rules asked first when a guest sends a comment, before the post is read or the
    # form checked: what a robot sends a hundred times a second (again at once; with the
    # hidden field filled) is turned away for one indexed query (issue 10). They must read
    # neither the post (the candidate carries it by its id alone) nor the markup; the
    # comment is judged again by all the rules when it passes.
    door: Sequence[Rule] = (too_fast, honeypot)

    # What the commenter may be told before sending: what the text says, and whether the
    # post takes comments. Spam rules stay silent, so that nobody can probe the disallowed
    # list or the honeypot; and so do the rules that look up the email address a guest
    # typed (the first-comment hold, the duplicate check), which would tell a stranger
    # whether an address has commented before, and under which comment.
    advisory: frozenset[str] = frozenset(
        {
            "comments_closed",
            "members_only",
            "moderation_words",
            "too_many_links",
        }
    )

    # The rules an approved comment goes through again when its author edits it, so that a
    # comment cannot be approved first and filled with links afterwards. Only what the text
    # says: who wrote it, when and how often were judged when it was sent, and an edit
    # changes none of that. (A moderator's edit is not judged again: services.edit_comment.)
    on_edit: Sequence[Rule] = (disallowed, moderation_words, too_many_links)

    # The rules asked again inside the transaction that writes a new comment: it is judged
    # before the transaction (services.post_comment keeps the writers' lock short), and these
    # are the verdicts another writer's comment committed in between can change (the same
    # text sent twice at once by a double click, a flood of comments sent together).
    on_write: Sequence[Rule] = (too_fast, duplicate)

    @staticmethod
    def _first(
        rules: Sequence[Rule], candidate: Candidate, settings: DiscussionSettings
    ) -> Verdict:
        for rule in rules:
            verdict = rule(candidate, settings)
            if verdict is not None:
                return verdict
        return Verdict(Action.APPROVE, "")

    def judge(self, candidate: Candidate, settings: DiscussionSettings) -> Verdict:
        """A new comment's fate."""
        return self._first(self.rules, candidate, settings)

    def at_the_door(self, candidate: Candidate, settings: DiscussionSettings) -> Verdict:
        """A guest's comment before anything is loaded for it: refused by a door rule the
        policy runs, else approved for now (judge() decides)."""
        return self._first([rule for rule in self.door if rule in self.rules], candidate, settings)

    def confirm(
        self, candidate: Candidate, settings: DiscussionSettings, verdict: Verdict
    ) -> Verdict:
        """A judged comment's fate at the moment it is written: refused if one of the
        on_write rules refuses it now, else what judge() decided."""
        for rule in self.on_write:
            now = rule(candidate, settings) if rule in self.rules else None
            if now is not None and now.action == Action.REFUSE:
                return now
        return verdict

    def rejudge(self, candidate: Candidate, settings: DiscussionSettings) -> Verdict:
        """An approved comment's fate after its author changed the text (the candidate's
        exclude_pk names it, so that it is not compared with itself): approved, unless one
        of the on_edit rules decides otherwise."""
        return self._first(self.on_edit, candidate, settings)

    def advise(self, candidate: Candidate, settings: DiscussionSettings) -> list[Verdict]:
        """Every advisory rule that would hold or refuse this comment, with its reason."""
        found = []
        for rule in self.rules:
            if rule.__name__ in self.advisory and (verdict := rule(candidate, settings)):
                found.append(verdict)
        return found


def policy() -> ModerationPolicy:
    """The policy named by STOA['MODERATION_POLICY'] (a dotted path to a class)."""
    from stoa.core.conf import stoa_setting

    return import_string(stoa_setting("MODERATION_POLICY"))()

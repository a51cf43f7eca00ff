"""The comment write path stays indexed (issue 12): every query a comment POST sends is
planned by the database itself (EXPLAIN), and none may read a whole table that grows with
the site. On SQLite a full scan is "SCAN <table>" in EXPLAIN QUERY PLAN; on PostgreSQL the
planner reads a tiny test table whole whatever the indexes, so sequential scans are
switched off for the EXPLAIN: a "Seq Scan" left in the plan is one no index could avoid."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.utils import timezone

from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory, UserFactory

# The tables that grow with the site: a scan of one costs more every month.
GROWING = (
    "discussion_comment",
    "discussion_commentevent",
    "discussion_subscription",
    "members_user",
    "account_emailaddress",
    "publishing_post",
    "django_tasks_database_dbtaskresult",
)

Query = tuple[str, Any]


@contextmanager
def recorded() -> Iterator[list[Query]]:
    """Every statement sent in the block, with its parameters, as the database received it."""
    found: list[Query] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield found


def _sqlite_scans(sql: str, params: Any) -> list[str]:
    # "SCAN t" reads the table, "SCAN t USING [COVERING] INDEX i" the whole index: as bad.
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        details = [str(row[-1]) for row in cursor.fetchall()]
    return [m.group(1) for d in details if (m := re.match(r"SCAN (\w+)", d))]


def _postgres_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _postgres_nodes(child)


def _reads_whole(node: dict[str, Any]) -> bool:
    """A sequential scan, or an index read without an index condition (the whole index,
    filtered row by row), or a bitmap built from one."""
    kind = node["Node Type"]
    if kind == "Seq Scan":
        return True
    if kind in ("Index Scan", "Index Only Scan"):
        return "Index Cond" not in node
    if kind == "Bitmap Heap Scan":
        return any(
            child["Node Type"] == "Bitmap Index Scan" and "Index Cond" not in child
            for child in _postgres_nodes(node)
        )
    return False


def _postgres_plan(sql: str, params: Any) -> dict[str, Any]:
    """PostgreSQL's plan of the statement, with sequential scans ruled out wherever an
    index can serve (so a scan in it means no index could)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            found = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    document = json.loads(found) if isinstance(found, str) else found
    return dict(document[0]["Plan"])


def _postgres_scans(sql: str, params: Any) -> list[str]:
    return [
        node["Relation Name"]
        for node in _postgres_nodes(_postgres_plan(sql, params))
        if "Relation Name" in node and _reads_whole(node)
    ]


def full_scans(sql: str, params: Any) -> list[str]:
    """The growing tables this statement reads whole, as the database plans it."""
    scanned = (
        _sqlite_scans(sql, params)
        if connection.vendor == "sqlite"
        else _postgres_scans(sql, params)
    )
    return sorted({table for table in scanned if table in GROWING})


def planned(queries: list[Query]) -> list[Query]:
    """The statements that read a table (INSERT ... VALUES and savepoints read none)."""
    return [
        (sql, params)
        for sql, params in queries
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))
    ]


def assert_indexed(queries: list[Query]) -> None:
    checked = planned(queries)
    assert checked, "no query was recorded"
    scans = {sql: tables for sql, params in checked if (tables := full_scans(sql, params))}
    assert not scans, f"full scans on the write path: {scans}"


@pytest.fixture
def site(settings: Any) -> dict[str, Any]:
    """A thread with comments from guests and members, members with addresses, tasks
    queued in the database as the site queues them."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    post = PostFactory()
    member = UserFactory(email="Member@Example.com")
    EmailAddress.objects.create(user=member, email="member@example.com", verified=True)
    earlier = timezone.now() - dt.timedelta(hours=1)  # out of the flood interval
    returning = CommentFactory(
        post=post,
        author_name="Ann",
        author_email="ann@example.com",
        ip_address="192.0.2.1",
        created_at=earlier,
    )
    for n in range(5):
        CommentFactory(post=post, ip_address=f"192.0.2.{10 + n}")
    CommentFactory(post=post, user=member, ip_address="192.0.2.99", created_at=earlier)
    return {"post": post, "member": member, "parent": returning}


def guest_post(post_pk: int, **fields: str) -> dict[str, str]:
    return {"name": "Ann", "email": "ANN@example.com", "body": "Indexed, I hope.", **fields}


@pytest.mark.django_db
def test_a_returning_guests_comment_reads_no_growing_table_whole(site: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    with recorded() as queries:
        response = client.post(f"/comments/post/{site['post'].pk}/", guest_post(site["post"].pk))
    assert response.status_code == 302
    assert Comment.objects.latest("pk").status == CommentStatus.APPROVED
    assert_indexed(queries)


@pytest.mark.django_db
def test_a_new_guests_reply_held_for_a_moderator_reads_no_growing_table_whole(
    site: dict[str, Any],
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.8")
    fields = guest_post(
        site["post"].pk, name="Newcomer", email="new@example.org", parent=str(site["parent"].pk)
    )
    with recorded() as queries:
        response = client.post(f"/comments/post/{site['post'].pk}/", fields)
    assert response.status_code == 302
    assert Comment.objects.latest("pk").status == CommentStatus.PENDING
    assert_indexed(queries)


@pytest.mark.django_db
def test_a_guest_using_a_members_address_reads_no_growing_table_whole(
    site: dict[str, Any],
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    fields = guest_post(site["post"].pk, name="Someone", email="MEMBER@example.com")
    with recorded() as queries:
        response = client.post(f"/comments/post/{site['post'].pk}/", fields)
    assert response.status_code == 302
    assert_indexed(queries)


@pytest.mark.django_db
def test_a_members_comment_reads_no_growing_table_whole(site: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="203.0.113.10")
    client.force_login(site["member"])
    with recorded() as queries:
        response = client.post(
            f"/comments/post/{site['post'].pk}/", {"body": "A member's indexed comment."}
        )
    assert response.status_code == 302
    assert_indexed(queries)


@pytest.mark.django_db
def test_the_check_finds_a_scan_when_there_is_one(site: dict[str, Any]) -> None:
    # The tests above would pass on a plan they cannot read: they must see a real scan, as
    # Django's `author_email__iexact` is (UPPER on PostgreSQL; a LIKE on SQLite, which
    # PostgreSQL can answer from an index when the pattern has no wildcard).
    sql = 'SELECT 1 FROM "discussion_comment" WHERE UPPER("author_email") = UPPER(%s) LIMIT 1'
    assert full_scans(sql, ["ann@example.com"]) == ["discussion_comment"]


def comment_queries(post_pk: int, n: int) -> list[str]:
    client = Client(REMOTE_ADDR=f"203.0.113.{100 + n}")
    fields = guest_post(post_pk, name=f"Writer {n}", email=f"writer{n}@example.org")
    with recorded() as queries:
        assert client.post(f"/comments/post/{post_pk}/", fields).status_code == 302
    return [sql for sql, _ in queries]


@pytest.mark.django_db
@pytest.mark.parametrize("paged", [False, True])
def test_a_comment_on_a_long_thread_sends_what_it_sends_on_a_short_one(
    site: dict[str, Any], paged: bool
) -> None:
    # Paged too: the page a new comment is on is found by the page it is sent to, not by
    # reading the thread in the POST.
    row = DiscussionSettings.current()
    row.paginate, row.threads_per_page = paged, 5
    row.save()
    DiscussionSettings.current()  # kept again, as every request after the first finds it
    short = comment_queries(site["post"].pk, 1)
    long_post = PostFactory()
    for n in range(40):
        CommentFactory(post=long_post, ip_address=f"198.51.100.{n + 1}")
    long = comment_queries(long_post.pk, 2)
    assert len(long) == len(short)
    assert not [sql for sql in long if "COUNT(" in sql.upper()]
    # Whatever it reads of the comments is a bounded number of rows, never the thread.
    unbounded = [
        sql
        for sql in long
        if sql.lstrip().upper().startswith("SELECT")
        and '"discussion_comment"' in sql
        and "LIMIT" not in sql.upper()
    ]
    assert not unbounded


@pytest.mark.django_db
def test_the_same_text_written_by_another_request_meanwhile_is_refused_at_the_write(
    site: dict[str, Any],
) -> None:
    # The rules judge before the write transaction; a double click's first comment,
    # committed in between, is found by the on_write rules inside it.
    from stoa.discussion import moderation, services

    post = site["post"]
    candidate = services.candidate_for(
        post=post, author=services.Guest(name="Bea", email="bea@example.org"), body="Twice."
    )
    rules = moderation.policy()
    settings_row = DiscussionSettings.current()
    settings_row.rate_limit_seconds = 0  # else the flood rule refuses it first
    verdict = rules.judge(candidate, settings_row)
    assert verdict.action != moderation.Action.REFUSE
    CommentFactory(post=post, author_name="Bea", author_email="BEA@example.org", text="Twice.")
    assert rules.confirm(candidate, settings_row, verdict).rule == "duplicate"


def _comment_indexes(sql: str, params: Any) -> set[str]:
    """The indexes the database reads discussion_comment through for this statement."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            details = [str(row[-1]) for row in cursor.fetchall()]
        found = (
            re.match(r"SEARCH discussion_comment USING (?:COVERING )?INDEX (\w+)", d)
            for d in details
        )
        return {m.group(1) for m in found if m}
    with connection.cursor() as cursor:
        own = set(connection.introspection.get_constraints(cursor, "discussion_comment"))
    # A bitmap index scan names its index, not its table: kept when the index is the table's.
    nodes = _postgres_nodes(_postgres_plan(sql, params))
    return {node["Index Name"] for node in nodes if node.get("Index Name") in own}


@pytest.mark.django_db
def test_the_account_page_finds_a_members_guest_comments_by_address(
    site: dict[str, Any],
) -> None:
    # Issue 12: the comments a member may claim are looked up by their verified addresses on
    # the LOWER(email) index, not by reading every guest comment of the site (the user_id
    # index SQLite chose for "user_id IS NULL" without statistics) nor with a LIKE each.
    CommentFactory(post=site["post"], author_email="MEMBER@example.com")
    client = Client()
    client.force_login(site["member"])
    with recorded() as queries:
        response = client.get("/account/")
    assert response.status_code == 200
    assert "MEMBER@example.com" not in response.content.decode()  # the address stays private
    claims = [
        (sql, p)
        for sql, p in queries
        if "account_emailaddress" in sql and "discussion_comment" in sql
    ]
    assert len(claims) == 1, [sql for sql, _ in queries]
    # Either index that leads with LOWER(author_email) (PostgreSQL takes either on a table of
    # a few rows).
    assert _comment_indexes(*claims[0]) in ({"comment_email_key"}, {"comment_email_recent"})
    assert not full_scans(*claims[0])


def _statement(queries: list[Query], *needles: str) -> Query:
    found = [(sql, p) for sql, p in queries if all(needle in sql for needle in needles)]
    assert len(found) >= 1, [sql for sql, _ in queries]
    return found[0]


@pytest.mark.django_db
def test_the_rules_read_a_writers_comments_through_indexes_that_stop_at_the_few_that_matter(
    site: dict[str, Any],
) -> None:
    # Issue 12: through the address alone, a writer's 100th comment into a thread read their
    # 99 others, twice (the duplicate rule), and the flood rule every comment of the address
    # or the member. Each now reads the post's comments that begin with the same words, and
    # the address's or member's comments of the last seconds.
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 15
    row.save()
    client = Client(REMOTE_ADDR="203.0.113.20")
    with recorded() as guest_queries:
        response = client.post(f"/comments/post/{site['post'].pk}/", guest_post(site["post"].pk))
    assert response.status_code == 302
    flood = _statement(guest_queries, '"created_at" >= ', 'LOWER("author_email")')
    assert _comment_indexes(*flood) == {"comment_email_recent", "comment_ip"}

    member = Client(REMOTE_ADDR="203.0.113.21")
    member.force_login(site["member"])
    with recorded() as member_queries:
        response = member.post(f"/comments/post/{site['post'].pk}/", {"body": "Indexed too."})
    assert response.status_code == 302
    flood = _comment_indexes(*_statement(member_queries, '"created_at" >= ', '"user_id" = '))
    standing = _statement(member_queries, '"discussion_comment"."user_id" = ', '"status" = ')
    if connection.vendor == "sqlite":
        assert flood == {"comment_email_recent", "comment_ip", "comment_user_recent"}
        assert _comment_indexes(*standing) == {"comment_user_status"}
    else:
        # On a test table of a few rows PostgreSQL takes either of the member's two indexes
        # (both lead with user_id); with a member's thousands of comments its statistics
        # choose the one whose second column the statement bounds.
        member_keys = {"comment_user_recent", "comment_user_status"}
        assert flood - member_keys == {"comment_email_recent", "comment_ip"}
        assert flood & member_keys
        assert _comment_indexes(*standing) <= member_keys
    for sql, params in [*guest_queries, *member_queries]:
        assert not full_scans(sql, params) if sql.lstrip().upper().startswith("SELECT") else True


def _index_conditions(sql: str, params: Any) -> str:
    """What the database seeks in discussion_comment's indexes for this statement: SQLite's
    plan detail ("post_id=? AND <expr>=? ..."), PostgreSQL's index conditions."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(str(row[-1]) for row in cursor.fetchall())
    nodes = _postgres_nodes(_postgres_plan(sql, params))
    return " | ".join(node.get("Index Cond", "") for node in nodes)


@pytest.mark.django_db
def test_a_guests_duplicate_check_seeks_the_address_not_the_threads_comments_that_begin_alike(
    site: dict[str, Any],
) -> None:
    # Issue 12: the load test's writers begin their comments with five texts; the rule read
    # every comment of the thread beginning with the same 64 characters (a fifth of a
    # 5,000-comment thread), twice a comment, and the writers' rate fell as the thread grew.
    opening = "The point about pacing in the second section is the one I keep coming back to"
    for n in range(5):
        CommentFactory(post=site["post"], author_email=f"other{n}@example.com", text=opening)
    client = Client(REMOTE_ADDR="203.0.113.30")
    with recorded() as queries:
        response = client.post(
            f"/comments/post/{site['post'].pk}/", guest_post(site["post"].pk, body=opening + "!")
        )
    assert response.status_code == 302
    sql, params = _statement(queries, '"post_id" = ', "|| ''")
    if connection.vendor == "postgresql":
        # With statistics, as a live site's database has them (autovacuum): without,
        # PostgreSQL takes any index on LOWER(author_email) on a table of a few rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE discussion_comment")
    sought = _index_conditions(sql, params)
    if connection.vendor == "sqlite":
        assert _comment_indexes(sql, params) == {"comment_duplicate_key"}
        assert "comment_duplicate_key (post_id=? AND <expr>=? AND <expr>=?)" in sought
    else:
        # PostgreSQL's planner weighs its statistics: it seeks the guest's address through
        # the duplicate rule's index or through the address's own (comment_email_key), as
        # the table's figures say; either way by the address, never the thread's comments
        # that begin alike (the post's index or the text's beginning alone).
        assert _comment_indexes(sql, params) <= {"comment_duplicate_key", "comment_email_key"}
        assert "lower((author_email)::text)" in sought, sought


@pytest.mark.django_db(transaction=True)
def test_a_comment_post_writes_in_one_transaction(site: dict[str, Any]) -> None:
    # Issue 12: every write transaction waits for SQLite's one writer's lock (and for the
    # writers' queue before it); the comment's stored markup had one of its own after the
    # commit. Its row, markup, event, count and tasks are now written together.
    writes: list[tuple[str, int | None]] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
            writes.append((sql.split()[0].upper(), id(outermost) if outermost else None))
        return execute(sql, params, many, context)

    client = Client(REMOTE_ADDR="203.0.113.40")
    with connection.execute_wrapper(record):
        response = client.post(f"/comments/post/{site['post'].pk}/", guest_post(site["post"].pk))
    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    assert comment.status == CommentStatus.APPROVED
    assert comment.rendered and comment.rendered_with, "its markup is stored"
    assert writes, "the comment was written"
    assert {transaction for _, transaction in writes} == {writes[0][1]} != {None}, writes

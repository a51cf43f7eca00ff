"""The moderation rules, each on its own, and the policy that runs them in order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from stoa.discussion import moderation, services
from stoa.discussion.models import CommentEventKind, CommentStatus, DiscussionSettings
from stoa.discussion.moderation import Action, Candidate, ModerationPolicy
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.roles import Role
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussion() -> DiscussionSettings:
    return DiscussionSettings.current()


def configure(**changes: Any) -> DiscussionSettings:
    """Change the discussion settings as an administrator would, and read them back."""
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return DiscussionSettings.current()


def candidate(post: Post, text: str = "A thoughtful remark.", **kwargs: Any) -> Candidate:
    fields: dict[str, Any] = {
        "author_name": "Ada Reader",
        "author_email": "ada@example.net",
        **kwargs,
    }
    return Candidate(post=post, text=text, **fields)


def a_day_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=1)


def approved_earlier(email: str, name: str = "Ada Reader") -> None:
    """An approved guest comment signed with this name and address, long enough ago not to
    count as a flood."""
    CommentFactory(
        post=PostFactory(),
        author_name=name,
        author_email=email,
        created_at=timezone.now() - dt.timedelta(days=1),
    )


# --- comments_closed ---------------------------------------------------------------------


def test_an_open_post_takes_comments(post: Post, discussion: DiscussionSettings) -> None:
    assert moderation.comments_closed(candidate(post), discussion) is None


def test_a_post_closed_by_hand_refuses_comments(discussion: DiscussionSettings) -> None:
    post = PostFactory(comments_open=False)
    verdict = moderation.comments_closed(candidate(post), discussion)
    assert verdict is not None
    assert verdict.action == Action.REFUSE
    assert verdict.rule == "closed"
    assert verdict.message


def test_old_posts_stay_open_while_auto_close_is_off_as_by_default(
    discussion: DiscussionSettings,
) -> None:
    assert discussion.auto_close_days == 0
    old = PostFactory(published_at=timezone.now() - dt.timedelta(days=3650))
    assert moderation.comments_closed(candidate(old), discussion) is None


def test_auto_close_refuses_comments_on_posts_older_than_the_limit() -> None:
    discussion = configure(auto_close_days=30)
    old = PostFactory(published_at=timezone.now() - dt.timedelta(days=31))
    recent = PostFactory(published_at=timezone.now() - dt.timedelta(days=29))
    verdict = moderation.comments_closed(candidate(old), discussion)
    assert verdict is not None
    assert verdict.action == Action.REFUSE
    assert moderation.comments_closed(candidate(recent), discussion) is None


# --- honeypot ----------------------------------------------------------------------------


def test_a_filled_honeypot_is_refused_with_a_reason_a_person_can_act_on(
    post: Post, discussion: DiscussionSettings
) -> None:
    verdict = moderation.honeypot(candidate(post, honeypot="http://spam.example"), discussion)
    assert verdict is not None
    assert verdict.action == Action.REFUSE
    assert verdict.rule == "honeypot"
    assert "autofill" in verdict.message


def test_a_refused_robot_costs_no_sanitising(post: Post, discussion: DiscussionSettings) -> None:
    drawn: list[str] = []
    c = candidate(post, "<b>Buy</b>", honeypot="robot", draw=lambda t: drawn.append(t) or t)
    assert ModerationPolicy().judge(c, discussion).rule == "honeypot"
    assert drawn == []
    assert c.html == "<b>Buy</b>"
    assert drawn == ["<b>Buy</b>"]


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_honeypot_passes(post: Post, discussion: DiscussionSettings, value: str) -> None:
    assert moderation.honeypot(candidate(post, honeypot=value), discussion) is None


# --- too_fast ----------------------------------------------------------------------------


def test_a_second_comment_from_the_same_ip_within_the_interval_is_refused(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, ip_address="203.0.113.5")
    c = candidate(post, author_email="someone-else@example.net", ip_address="203.0.113.5")
    verdict = moderation.too_fast(c, discussion)
    assert verdict is not None
    assert verdict.action == Action.REFUSE
    assert verdict.rule == "flood"


def test_a_second_comment_from_the_same_email_within_the_interval_is_refused(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, author_email="Ada@Example.net", ip_address="203.0.113.5")
    c = candidate(PostFactory(), author_email="ada@example.net", ip_address="198.51.100.7")
    verdict = moderation.too_fast(c, discussion)
    assert verdict is not None
    assert verdict.rule == "flood"


@pytest.mark.parametrize(
    ("earlier", "now"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:9"),
        ("2001:db8:1:2::1", "2001:0db8:0001:0002:0000:0000:0000:0002"),
        ("::ffff:203.0.113.5", "::ffff:203.0.113.5"),
    ],
)
def test_a_second_comment_from_the_same_ipv6_client_is_refused_whichever_address_of_its_64(
    post: Post, discussion: DiscussionSettings, earlier: str, now: str
) -> None:
    # Issue 10: a client that holds one address of a /64 holds them all.
    CommentFactory(post=post, ip_address=earlier)
    c = candidate(post, author_email="someone-else@example.net", ip_address=now)
    verdict = moderation.too_fast(c, discussion)
    assert verdict is not None
    assert verdict.rule == "flood"


def test_another_ipv6_64_is_another_client(post: Post, discussion: DiscussionSettings) -> None:
    CommentFactory(post=post, ip_address="2001:db8:1:2::1")
    c = candidate(post, author_email="someone-else@example.net", ip_address="2001:db8:1:3::1")
    assert moderation.too_fast(c, discussion) is None


def test_a_second_comment_from_the_same_member_within_the_interval_is_refused(
    post: Post, discussion: DiscussionSettings
) -> None:
    member = UserFactory()
    CommentFactory(post=post, user=member)
    c = candidate(post, author_email="", user=member)
    verdict = moderation.too_fast(c, discussion)
    assert verdict is not None
    assert verdict.rule == "flood"


def test_a_comment_after_the_interval_is_let_through(
    post: Post, discussion: DiscussionSettings
) -> None:
    member = UserFactory()
    CommentFactory(post=post, user=member, ip_address="203.0.113.5")
    later = timezone.now() + dt.timedelta(seconds=discussion.rate_limit_seconds + 1)
    for c in (
        candidate(post, author_email="", user=member, now=later),
        candidate(post, ip_address="203.0.113.5", now=later),
        candidate(post, author_email=member.email, now=later),
    ):
        assert moderation.too_fast(c, discussion) is None


def test_comments_from_other_people_are_not_a_flood(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, ip_address="203.0.113.5")
    c = candidate(post, author_email="new@example.net", ip_address="198.51.100.7")
    assert moderation.too_fast(c, discussion) is None


def test_a_guest_without_ip_or_email_is_not_matched_to_everyone(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post)
    assert moderation.too_fast(candidate(post, author_email=""), discussion) is None


def test_a_rate_limit_of_zero_turns_the_flood_check_off(post: Post) -> None:
    discussion = configure(rate_limit_seconds=0)
    CommentFactory(post=post, ip_address="203.0.113.5")
    c = candidate(post, ip_address="203.0.113.5")
    assert moderation.too_fast(c, discussion) is None


# --- duplicate ---------------------------------------------------------------------------


def test_the_same_text_from_the_same_author_on_the_same_post_is_refused(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, author_email="ada@example.net", text="I agree entirely.")
    verdict = moderation.duplicate(candidate(post, "I agree entirely."), discussion)
    assert verdict is not None
    assert verdict.action == Action.REFUSE
    assert verdict.rule == "duplicate"


def test_the_same_text_from_the_same_member_on_the_same_post_is_refused(
    post: Post, discussion: DiscussionSettings
) -> None:
    member = UserFactory()
    CommentFactory(post=post, user=member, text="I agree entirely.")
    c = candidate(post, "I agree entirely.", author_email=member.email, user=member)
    assert moderation.duplicate(c, discussion) is not None


def test_the_same_text_on_another_post_is_not_a_duplicate(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, author_email="ada@example.net", text="I agree entirely.")
    c = candidate(PostFactory(), "I agree entirely.")
    assert moderation.duplicate(c, discussion) is None


def test_the_same_text_from_another_author_is_not_a_duplicate(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, author_email="bob@example.net", text="I agree entirely.")
    assert moderation.duplicate(candidate(post, "I agree entirely."), discussion) is None


def test_a_trashed_earlier_comment_does_not_count_as_a_duplicate(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(
        post=post,
        author_email="ada@example.net",
        text="I agree entirely.",
        status=CommentStatus.TRASH,
    )
    assert moderation.duplicate(candidate(post, "I agree entirely."), discussion) is None


# --- disallowed and moderation words -------------------------------------------------------

LISTED = "cheap pills\nspammer@bad.example\n203.0.113.66\nbad.example\nSpam King\n"
# A comment matching LISTED by each thing a list is compared with.
on_the_list = pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "Buy CHEAP PILLS today"},
        {"author_name": "The Spam King"},
        {"author_email": "spammer@bad.example"},
        {"author_url": "https://bad.example/shop"},
        {"ip_address": "203.0.113.66"},
    ],
    ids=["text", "name", "email", "url", "ip"],
)


@on_the_list
def test_anything_on_the_disallowed_list_is_spam(post: Post, kwargs: dict[str, str]) -> None:
    discussion = configure(disallowed_keys=LISTED)
    verdict = moderation.disallowed(candidate(post, **kwargs), discussion)
    assert verdict is not None
    assert verdict.action == Action.SPAM
    assert verdict.rule == "disallowed"


@on_the_list
def test_anything_on_the_moderation_list_is_held(post: Post, kwargs: dict[str, str]) -> None:
    discussion = configure(moderation_keys=LISTED)
    verdict = moderation.moderation_words(candidate(post, **kwargs), discussion)
    assert verdict is not None
    assert verdict.action == Action.HOLD
    assert verdict.rule == "moderation-word"


def test_a_comment_matching_no_listed_word_passes_both_lists(post: Post) -> None:
    discussion = configure(disallowed_keys=LISTED, moderation_keys=LISTED)
    c = candidate(post, "Pills are not mentioned here, cheaply or otherwise.")
    assert moderation.disallowed(c, discussion) is None
    assert moderation.moderation_words(c, discussion) is None


def test_empty_lists_and_blank_lines_match_nothing(post: Post) -> None:
    discussion = configure(disallowed_keys="\n   \n", moderation_keys="")
    assert moderation.disallowed(candidate(post), discussion) is None
    assert moderation.moderation_words(candidate(post), discussion) is None


# --- too_many_links -----------------------------------------------------------------------


def test_more_links_than_the_limit_are_held_counting_bare_urls(
    post: Post, discussion: DiscussionSettings
) -> None:
    assert discussion.max_links == 2
    text = 'See <a href="https://a.example/">a</a>, https://b.example/ and www.c.example.'
    verdict = moderation.too_many_links(candidate(post, text), discussion)
    assert verdict is not None
    assert verdict.action == Action.HOLD
    assert verdict.rule == "links"
    assert "3" in verdict.message


def test_three_bare_urls_are_held(post: Post, discussion: DiscussionSettings) -> None:
    text = "https://a.example/ https://b.example/ www.c.example"
    assert moderation.too_many_links(candidate(post, text), discussion) is not None


def test_links_up_to_the_limit_pass(post: Post, discussion: DiscussionSettings) -> None:
    text = 'See <a href="https://a.example/">a</a> and https://b.example/.'
    assert moderation.too_many_links(candidate(post, text), discussion) is None


def test_the_link_limit_is_a_setting(post: Post) -> None:
    discussion = configure(max_links=0)
    assert moderation.too_many_links(candidate(post, "www.a.example"), discussion) is not None


# --- first_comment ------------------------------------------------------------------------


def test_a_first_comment_from_an_unknown_address_is_held(
    post: Post, discussion: DiscussionSettings
) -> None:
    verdict = moderation.first_comment(candidate(post), discussion)
    assert verdict is not None
    assert verdict.action == Action.HOLD
    assert verdict.rule == "first-comment"


def test_a_guest_whose_name_and_address_were_approved_before_passes(
    post: Post, discussion: DiscussionSettings
) -> None:
    approved_earlier("ADA@example.net", "ada reader")
    assert moderation.first_comment(candidate(post), discussion) is None


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH])
def test_an_earlier_comment_that_was_never_approved_does_not_count(
    post: Post, discussion: DiscussionSettings, status: str
) -> None:
    CommentFactory(post=PostFactory(), author_email="ada@example.net", status=status)
    assert moderation.first_comment(candidate(post), discussion) is not None


def test_a_member_in_good_standing_skips_the_first_comment_hold(
    post: Post, discussion: DiscussionSettings
) -> None:
    member = UserFactory()
    c = candidate(post, author_email=member.email, user=member)
    assert moderation.first_comment(c, discussion) is None


def test_a_member_with_a_spam_comment_is_held_like_a_stranger(
    post: Post, discussion: DiscussionSettings
) -> None:
    member = UserFactory()
    CommentFactory(post=PostFactory(), user=member, status=CommentStatus.SPAM)
    c = candidate(post, author_email=member.email, user=member)
    verdict = moderation.first_comment(c, discussion)
    assert verdict is not None
    assert verdict.rule == "first-comment"


def test_an_inactive_member_is_not_in_good_standing() -> None:
    assert moderation.in_good_standing(UserFactory(is_active=False)) is False
    assert moderation.in_good_standing(None) is False
    assert moderation.in_good_standing(UserFactory()) is True


def test_turning_the_setting_off_lets_first_comments_through(post: Post) -> None:
    discussion = configure(hold_first_comment=False)
    assert moderation.first_comment(candidate(post), discussion) is None


# --- the policy: order -------------------------------------------------------------------


def test_a_clean_comment_from_a_known_address_is_approved(
    post: Post, discussion: DiscussionSettings
) -> None:
    approved_earlier("ada@example.net")
    verdict = ModerationPolicy().judge(candidate(post), discussion)
    assert verdict == moderation.Verdict(Action.APPROVE, "")


def test_the_configured_policy_is_the_default_one() -> None:
    assert isinstance(moderation.policy(), ModerationPolicy)


def test_closed_comments_beat_every_other_rule() -> None:
    discussion = configure(disallowed_keys="viagra", moderation_keys="viagra")
    post = PostFactory()
    CommentFactory(post=post, author_email="ada@example.net", text="viagra", ip_address="1.2.3.4")
    post.comments_open = False
    c = candidate(post, "viagra", honeypot="x", ip_address="1.2.3.4")
    assert ModerationPolicy().judge(c, discussion).rule == "closed"


def test_the_flood_check_beats_the_honeypot(post: Post, discussion: DiscussionSettings) -> None:
    # Inverted (issue 10): a robot posting again at once is slowed down, refused with nothing
    # written, rather than judged and stored as spam every time (as WordPress checks the
    # flood before the disallowed list).
    CommentFactory(post=post, ip_address="203.0.113.5")
    c = candidate(post, ip_address="203.0.113.5", honeypot="robot")
    verdict = ModerationPolicy().judge(c, discussion)
    assert verdict.action == Action.REFUSE
    assert verdict.rule == "flood"


def test_the_honeypot_still_catches_a_robots_first_post(
    post: Post, discussion: DiscussionSettings
) -> None:
    c = candidate(post, ip_address="203.0.113.5", honeypot="robot")
    verdict = ModerationPolicy().judge(c, discussion)
    assert (verdict.action, verdict.rule) == (Action.REFUSE, "honeypot")


def test_the_flood_check_beats_the_duplicate_check(
    post: Post, discussion: DiscussionSettings
) -> None:
    CommentFactory(post=post, author_email="ada@example.net", text="Same again.")
    verdict = ModerationPolicy().judge(candidate(post, "Same again."), discussion)
    assert verdict.rule == "flood"


def test_the_disallowed_list_beats_the_moderation_list_and_the_link_limit(post: Post) -> None:
    discussion = configure(disallowed_keys="casino", moderation_keys="casino")
    c = candidate(post, "casino https://a.example https://b.example https://c.example")
    verdict = ModerationPolicy().judge(c, discussion)
    assert verdict.action == Action.SPAM
    assert verdict.rule == "disallowed"


def test_a_moderation_word_beats_the_link_limit_and_the_first_comment_hold(post: Post) -> None:
    discussion = configure(moderation_keys="refund")
    c = candidate(post, "refund https://a.example https://b.example https://c.example")
    assert ModerationPolicy().judge(c, discussion).rule == "moderation-word"


def test_the_link_limit_beats_the_first_comment_hold(
    post: Post, discussion: DiscussionSettings
) -> None:
    c = candidate(post, "https://a.example https://b.example https://c.example")
    assert ModerationPolicy().judge(c, discussion).rule == "links"


def test_a_custom_policy_may_drop_a_rule(post: Post, discussion: DiscussionSettings) -> None:
    class NoFirstCommentHold(ModerationPolicy):
        rules = tuple(r for r in ModerationPolicy.rules if r is not moderation.first_comment)

    assert NoFirstCommentHold().judge(candidate(post), discussion).action == Action.APPROVE


# --- the policy: advice before sending ----------------------------------------------------


def test_advice_names_every_reason_in_the_text_a_comment_would_wait(post: Post) -> None:
    discussion = configure(moderation_keys="refund")
    CommentFactory(
        post=post,
        author_email="ada@example.net",
        text="refund https://a.example https://b.example https://c.example",
        status=CommentStatus.PENDING,
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    c = candidate(post, "refund https://a.example https://b.example https://c.example")
    advice = ModerationPolicy().advise(c, discussion)
    # Not the duplicate check nor the first-comment hold: they look up the address typed,
    # and would tell a stranger whether (and what) that address wrote before.
    assert [v.rule for v in advice] == ["moderation-word", "links"]
    assert all(v.message for v in advice)
    assert {v.action for v in advice} == {Action.HOLD}


def test_advice_tells_of_closed_comments() -> None:
    c = candidate(PostFactory(comments_open=False))
    advice = ModerationPolicy().advise(c, DiscussionSettings.current())
    assert "closed" in [v.rule for v in advice]


def test_advice_is_empty_for_a_comment_that_would_be_approved(post: Post) -> None:
    approved_earlier("ada@example.net")
    assert ModerationPolicy().advise(candidate(post), DiscussionSettings.current()) == []


def test_advice_never_reveals_the_disallowed_list_or_the_honeypot(post: Post) -> None:
    discussion = configure(disallowed_keys="secretword")
    approved_earlier("ada@example.net")
    c = candidate(post, "a secretword here", honeypot="filled by a robot")
    advice = ModerationPolicy().advise(c, discussion)
    assert advice == []
    # ...while the judgement itself does catch it.
    assert ModerationPolicy().judge(c, discussion).rule == "honeypot"


def test_advice_does_not_echo_a_disallowed_word_through_another_rule(post: Post) -> None:
    discussion = configure(disallowed_keys="secretword")
    c = candidate(post, "a secretword with https://a.example https://b.example https://c.example")
    advice = ModerationPolicy().advise(c, discussion)
    assert [v.rule for v in advice] == ["links"]
    assert not any("secretword" in v.message for v in advice)


def test_advice_and_judgement_use_the_same_rules_through_the_service(post: Post) -> None:
    configure(moderation_keys="refund")
    c = services.candidate_for(
        post=post,
        author=services.Guest(name="Ada", email="ada@example.net"),
        body="A refund, please.",
    )
    advice = moderation.policy().advise(c, DiscussionSettings.current())
    comment = services.post_comment(
        post=post,
        author=services.Guest(name="Ada", email="ada@example.net"),
        body="A refund, please.",
    )
    assert comment.status == CommentStatus.PENDING
    assert advice[0].rule == comment.events.get().rule == "moderation-word"


# --- the policy: an author's edit ---------------------------------------------------------


def always_hold(c: Candidate, s: DiscussionSettings) -> moderation.Verdict | None:
    return moderation.Verdict(Action.HOLD, "always")


class LinksOnlyOnEdit(ModerationPolicy):
    """A site whose disallowed list guards new comments only."""

    on_edit = (moderation.too_many_links,)


class NoRepeatsOnEdit(ModerationPolicy):
    """A site that refuses an edit repeating the author's other comment."""

    on_edit = (*ModerationPolicy.on_edit, moderation.duplicate)


class HoldEveryEdit(ModerationPolicy):
    on_edit = (always_hold,)


@pytest.fixture
def use_policy(settings: Any) -> Any:
    """Configure STOA["MODERATION_POLICY"] as one of this module's policies."""

    def use(policy: type[ModerationPolicy]) -> None:
        settings.STOA = {**settings.STOA, "MODERATION_POLICY": f"{__name__}.{policy.__name__}"}

    return use


def test_an_edit_is_judged_by_what_the_text_says_by_default(post: Post) -> None:
    assert ModerationPolicy.on_edit == (
        moderation.disallowed,
        moderation.moderation_words,
        moderation.too_many_links,
    )
    discussion = configure(moderation_keys="refund")
    assert ModerationPolicy().rejudge(candidate(post, "A refund?"), discussion).rule == (
        "moderation-word"
    )
    # The first-comment hold judged who wrote it, not what it says: not asked again.
    assert ModerationPolicy().rejudge(candidate(post), discussion).action == Action.APPROVE


def test_the_configured_policy_decides_which_rules_an_edit_goes_through(
    post: Post, use_policy: Any
) -> None:
    use_policy(LinksOnlyOnEdit)
    configure(disallowed_keys="casino")
    worded = CommentFactory(post=post)
    linked = CommentFactory(post=post)

    services.edit_comment(comment=worded, body="Visit the casino")
    services.edit_comment(comment=linked, body="https://a.example https://b.example https://c.x")

    worded.refresh_from_db()
    linked.refresh_from_db()
    assert worded.status == CommentStatus.APPROVED
    assert linked.status == CommentStatus.PENDING
    assert linked.events.filter(kind=CommentEventKind.STATUS).order_by("pk").last().rule == (
        "links"
    )


def test_a_policy_may_refuse_an_edit_which_then_changes_nothing(
    post: Post, use_policy: Any
) -> None:
    use_policy(NoRepeatsOnEdit)
    member = UserFactory()
    CommentFactory(post=post, user=member, text="Said once.", created_at=a_day_ago())
    comment = CommentFactory(post=post, user=member, text="Something else.")

    with pytest.raises(services.CommentRefused) as refused:
        services.edit_comment(comment=comment, body="Said once.", editor=member)

    assert refused.value.verdict.rule == "duplicate"
    assert comment.text == "Something else."
    comment.refresh_from_db()
    assert (comment.text, comment.status, comment.edited_at) == (
        "Something else.",
        CommentStatus.APPROVED,
        None,
    )


def test_an_edit_is_not_compared_with_the_comment_it_changes(post: Post, use_policy: Any) -> None:
    use_policy(NoRepeatsOnEdit)
    comment = CommentFactory(post=post, text="Unchanged words.")
    services.edit_comment(comment=comment, body="Unchanged words.")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED


def test_a_moderators_edit_is_not_judged_again_whatever_the_policy(
    post: Post, use_policy: Any
) -> None:
    use_policy(HoldEveryEdit)
    moderator = UserFactory(role=Role.MODERATOR)
    by_moderator = CommentFactory(post=post)
    by_author = CommentFactory(post=post)

    services.edit_comment(comment=by_moderator, body="Tidied.", editor=moderator)
    services.edit_comment(comment=by_author, body="Tidied too.")

    by_moderator.refresh_from_db()
    by_author.refresh_from_db()
    assert by_moderator.status == CommentStatus.APPROVED
    assert by_author.status == CommentStatus.PENDING


def test_a_held_comment_is_not_judged_again_on_edit(post: Post, use_policy: Any) -> None:
    # It waits for a moderator already; their decision is about the text they will read.
    use_policy(HoldEveryEdit)
    comment = CommentFactory(post=post, status=CommentStatus.PENDING)
    events = comment.events.count()
    services.edit_comment(comment=comment, body="Second thoughts.")
    assert comment.events.count() == events + 1  # the edit, no move

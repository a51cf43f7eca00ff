"""The series pages, the session player, the forms and the post page's clip, through HTTP:
what each reader sees, what they may not, and what it costs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import lxml.html
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stoa.publishing.models import PostVisibility
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.webcasts import services, slots
from stoa.webcasts.models import Enrolment, ReleaseNotice
from stoa.webcasts.tests.factories import (
    AccessCodeFactory,
    ClipFactory,
    EnrolmentFactory,
    SeriesFactory,
    SessionFactory,
    days,
    webm_bytes,
)
from stoa.webcasts.views import REDEEM_ATTEMPTS, REDEEM_CLIENT_ATTEMPTS

pytestmark = pytest.mark.django_db


def page(response: Any) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def text(response: Any) -> str:
    return " ".join(page(response).text_content().split())


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def series() -> Any:
    series = SeriesFactory(title="Working with Couples", offer="$149 · six CE hours")
    SessionFactory(series=series, title="The fight you have heard before")
    SessionFactory(series=series, title="Slowing the room down", unrecorded=True)
    return series


# --- the series list ---------------------------------------------------------------------------


def test_the_list_shows_current_series_first_and_past_ones_apart(client) -> None:
    SeriesFactory(title="Open now")
    SeriesFactory(title="Opening soon", upcoming=True)
    SeriesFactory(title="Over and done", ended=True)
    SeriesFactory(title="Still a draft", draft=True)

    response = client.get("/series/")

    assert response.status_code == 200
    tree = page(response)
    assert [h.text_content() for h in tree.xpath("//h1")] == ["Webcast series"]
    current = [a.text_content() for a in tree.xpath("//article//h3/a")]
    assert sorted(current) == ["Open now", "Opening soon"]
    assert [a.text_content() for a in tree.xpath("//section[@class='series-past']//a")] == [
        "Over and done"
    ]
    assert "Still a draft" not in text(response)


# --- the series page ---------------------------------------------------------------------------


def test_a_visitor_sees_the_series_its_window_and_locked_sessions(client, series) -> None:
    response = client.get(series.get_absolute_url())

    assert response.status_code == 200
    tree = page(response)
    assert [h.text_content() for h in tree.xpath("//h1")] == ["Working with Couples"]
    body = text(response)
    assert "$149 · six CE hours" in body
    assert re.search(r"Available until \w+ \d+, \d{4} \(\d+ days left\)", body)
    sessions = tree.xpath("//ol[@class='sessions']/li")
    assert len(sessions) == 2
    assert "(locked)" in sessions[0].text_content()
    assert "48 min" in sessions[0].text_content()
    assert not tree.xpath("//ol[@class='sessions']//a")
    assert "Log in to watch" in body
    assert tree.xpath("//div[@role='status'][@aria-live='polite']")


def test_the_login_link_follows_the_login_setting_as_it_is_now(client, series, settings) -> None:
    settings.LOGIN_URL = "/accounts/login/"
    tree = page(client.get(series.get_absolute_url()))
    (link,) = tree.xpath("//a[normalize-space()='Log in to watch']/@href")
    assert link == f"/accounts/login/?next=%2Fseries%2F{series.slug}%2F"


def test_an_enrolled_member_sees_the_badge_and_every_session(client, series, member) -> None:
    EnrolmentFactory(user=member, series=series)
    response = logged_in(client, member).get(series.get_absolute_url())
    tree = page(response)
    assert tree.xpath("//span[contains(@class, 'badge--enrolled')]")
    links = tree.xpath("//ol[@class='sessions']//a/@href")
    assert links == [s.get_absolute_url() for s in series.sessions.in_order()]
    assert "(locked)" not in text(response)


def test_a_member_not_enrolled_is_offered_a_code(client, series, member) -> None:
    tree = page(logged_in(client, member).get(series.get_absolute_url()))
    assert tree.xpath("//a[@href='/series/redeem/'][normalize-space()='Redeem an access code']")
    assert not tree.xpath("//ol[@class='sessions']//a")


def test_a_series_close_to_its_end_counts_the_days(client) -> None:
    series = SeriesFactory(ends=timezone.now() + dt.timedelta(days=2, hours=3))
    assert "(3 days left)" in text(client.get(series.get_absolute_url()))
    last_day = SeriesFactory(ends=timezone.now() + dt.timedelta(hours=3))
    assert "(last day)" in text(client.get(last_day.get_absolute_url()))


def test_an_ended_series_says_so_and_offers_to_tell_of_the_next(client) -> None:
    series = SeriesFactory(ended=True, offer="$149")
    response = client.get(series.get_absolute_url())
    body = text(response)
    assert "This series is no longer available" in body
    assert "$149" not in body
    form = page(response).xpath("//form[@action='/series/notify/']")[0]
    assert form.xpath(".//label[@for='id_email']")
    assert form.xpath(".//input[@type='email'][@id='id_email']")
    # No CSRF cookie for visitors: the page stays the same for all of them (and cacheable).
    assert "csrftoken" not in response.cookies


def test_an_upcoming_series_says_when_it_opens(client) -> None:
    series = SeriesFactory(upcoming=True)
    assert "Opens on" in text(client.get(series.get_absolute_url()))


def test_an_unpublished_series_is_not_there_for_readers_but_is_for_editors(
    client, member, editor
) -> None:
    series = SeriesFactory(draft=True)
    assert client.get(series.get_absolute_url()).status_code == 404
    assert logged_in(client, member).get(series.get_absolute_url()).status_code == 404
    response = logged_in(Client(), editor).get(series.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: readers cannot see this series" in text(response)


def test_the_series_page_shows_its_clips_with_the_articles_that_carry_them(client, series) -> None:
    post = PostFactory(title="About couples")
    ClipFactory(series=series, title="A public clip", post=post)
    ClipFactory(series=series, title="An uploaded clip", uploaded=True)
    hidden = PostFactory(title="Members only")
    hidden.visibility = PostVisibility.MEMBERS
    hidden.save()
    ClipFactory(series=series, title="A members clip", post=hidden)

    response = client.get(series.get_absolute_url())

    body = text(response)
    assert "A public clip" in body and "An uploaded clip" in body
    assert "A members clip" not in body
    tree = page(response)
    assert tree.xpath(f"//a[@href='{post.get_absolute_url()}']")
    assert tree.xpath("//iframe[starts-with(@src, 'https://www.youtube-nocookie.com/embed/')]")
    assert tree.xpath("//video[@preload='none']/source[@type='video/webm']")


def test_the_series_page_costs_no_query_once_warm(
    client, series, django_assert_max_num_queries
) -> None:
    ClipFactory(series=series, post=PostFactory())
    client.get(series.get_absolute_url())
    with django_assert_max_num_queries(0):
        assert client.get(series.get_absolute_url()).status_code == 200


def test_the_series_page_costs_a_member_a_few_queries_once_warm(
    client, series, member, django_assert_max_num_queries
) -> None:
    EnrolmentFactory(user=member, series=series)
    logged_in(client, member).get(series.get_absolute_url())
    # The session and the member (2), the enrolment (1); the series itself is cached.
    with django_assert_max_num_queries(3):
        assert client.get(series.get_absolute_url()).status_code == 200


def test_a_cold_series_page_reads_the_series_in_a_handful_of_queries(
    client, series, django_assert_max_num_queries
) -> None:
    ClipFactory(series=series)
    cache.clear()
    # The content clocks (2: scheduled posts, series windows), the series with presenters,
    # sessions and clips (4), and the site's chrome (pages, featured, comments, categories).
    with django_assert_max_num_queries(10):
        assert client.get(series.get_absolute_url()).status_code == 200


# --- the session page and its files ------------------------------------------------------------


def test_an_enrolled_member_watches_a_session_with_captions(client, series, member) -> None:
    EnrolmentFactory(user=member, series=series)
    session = series.sessions.in_order().first()
    response = logged_in(client, member).get(session.get_absolute_url())
    assert response.status_code == 200
    tree = page(response)
    assert [h.text_content() for h in tree.xpath("//h1")] == [session.title]
    (video,) = tree.xpath("//div[@class='clip']/video[@id='clip-player']")
    assert video.get("controls") is not None and video.get("preload") == "metadata"
    assert video.xpath(".//source/@src") == [session.media_url("video")]
    assert video.xpath(".//source/@type") == ["video/webm"]
    (track,) = video.xpath(".//track")
    assert (track.get("kind"), track.get("srclang"), track.get("label")) == (
        "captions",
        "en",
        "English",
    )
    assert track.get("default") is not None
    assert tree.xpath("//script[@defer][contains(@src, 'webcasts/player.js')]")
    assert not tree.xpath("//script[not(@src)]")


def test_a_session_can_be_opened_by_its_number(client, series, member) -> None:
    EnrolmentFactory(user=member, series=series)
    second = series.sessions.in_order()[1]
    response = logged_in(client, member).get(f"/series/{series.slug}/2/")
    assert [h.text_content() for h in page(response).xpath("//h1")] == [second.title]
    assert "will be here soon" in text(response)
    assert client.get(f"/series/{series.slug}/3/").status_code == 404


def test_a_visitor_is_sent_to_log_in_for_a_session_and_its_video(client, series, settings) -> None:
    settings.LOGIN_URL = "/accounts/login/"
    session = series.sessions.in_order().first()
    for url in (session.get_absolute_url(), session.media_url("video")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("who", ["not enrolled", "expired", "series ended"])
def test_a_member_without_access_gets_403_and_never_the_file(client, member, who) -> None:
    series = SeriesFactory(ended=True) if who == "series ended" else SeriesFactory()
    session = SessionFactory(series=series)
    if who == "expired":
        member.webcast_enrolments.create(series=series, until=days(-1))
    logged_in(client, member)

    response = client.get(session.get_absolute_url())
    assert response.status_code == 403
    assert len(page(response).xpath("//h1")) == 1
    for kind in ("video", "captions"):
        response = client.get(session.media_url(kind), HTTP_RANGE="bytes=0-")
        assert response.status_code == 403
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert webm_bytes()[:64] not in content
        assert b"WEBVTT" not in content


def test_an_enrolled_member_gets_the_video_and_the_captions(client, series, member) -> None:
    EnrolmentFactory(user=member, series=series)
    session = series.sessions.in_order().first()
    logged_in(client, member)
    video = client.get(session.media_url("video"))
    assert video.status_code == 200
    assert video["Content-Type"] == "video/webm"
    assert b"".join(video.streaming_content) == webm_bytes()
    captions = client.get(session.media_url("captions"))
    assert captions["Content-Type"] == "text/vtt; charset=utf-8"
    assert b"".join(captions.streaming_content).startswith(b"WEBVTT")
    assert video["Cache-Control"] == "private, max-age=3600"


def test_a_session_without_a_recording_has_no_file(client, series, member) -> None:
    EnrolmentFactory(user=member, series=series)
    unrecorded = series.sessions.in_order()[1]
    assert logged_in(client, member).get(unrecorded.media_url("video")).status_code == 404


# --- redeeming a code --------------------------------------------------------------------------


def test_redeeming_needs_an_account(client, settings) -> None:
    settings.LOGIN_URL = "/accounts/login/"
    response = client.get("/series/redeem/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/series/redeem/"


def test_a_member_redeems_a_code_and_lands_on_the_series_enrolled(client, member) -> None:
    code = AccessCodeFactory()
    logged_in(client, member)
    form = page(client.get("/series/redeem/"))
    assert form.xpath("//label[@for='id_code']") and form.xpath(
        "//input[@name='csrfmiddlewaretoken']"
    )

    response = client.post("/series/redeem/", {"code": code.display_code.lower()})

    assert response.status_code == 302
    assert response["Location"] == code.series.get_absolute_url()
    assert Enrolment.objects.filter(user=member, series=code.series).exists()
    landed = client.get(response["Location"])
    assert f"You are enrolled in “{code.series.title}”" in text(landed)
    assert page(landed).xpath("//span[contains(@class, 'badge--enrolled')]")


def test_a_bad_code_answers_400_with_the_reason_and_keeps_what_was_typed(client, member) -> None:
    response = logged_in(client, member).post("/series/redeem/", {"code": "wrong-code-1"})
    assert response.status_code == 400
    tree = page(response)
    (error,) = tree.xpath("//*[@id='code-error']")
    assert error.get("role") == "alert"
    assert "We don't know this code" in error.text_content()
    assert tree.xpath("//input[@name='code']/@value") == ["wrong-code-1"]
    assert tree.xpath("//input[@name='code']/@aria-invalid") == ["true"]


def test_redeeming_checks_the_csrf_token(member) -> None:
    code = AccessCodeFactory()
    client = logged_in(Client(enforce_csrf_checks=True), member)
    assert client.post("/series/redeem/", {"code": code.code}).status_code == 403
    assert not Enrolment.objects.exists()


def test_too_many_wrong_codes_make_a_member_wait(client, member) -> None:
    logged_in(client, member)
    for n in range(REDEEM_ATTEMPTS):
        assert client.post("/series/redeem/", {"code": f"WRONG{n}"}).status_code == 400
    code = AccessCodeFactory()
    response = client.post("/series/redeem/", {"code": code.code})
    assert response.status_code == 429
    assert "Please wait" in text(response)
    assert not Enrolment.objects.exists()


def wrong_codes(client: Client, count: int, **headers: Any) -> list[int]:
    return [
        client.post("/series/redeem/", {"code": f"WRONG{n}"}, **headers).status_code
        for n in range(count)
    ]


def member_at(address: str) -> Client:
    return logged_in(Client(REMOTE_ADDR=address), UserFactory())


def test_one_client_cycling_accounts_is_made_to_wait_too() -> None:
    # Each account stays under its own limit; the address they all come from does not.
    accounts = REDEEM_CLIENT_ATTEMPTS // REDEEM_ATTEMPTS
    for _ in range(accounts):
        assert wrong_codes(member_at("192.0.2.10"), REDEEM_ATTEMPTS) == [400] * REDEEM_ATTEMPTS
    code = AccessCodeFactory()

    fresh_account = member_at("192.0.2.10").post("/series/redeem/", {"code": code.code})
    elsewhere = member_at("198.51.100.7").post("/series/redeem/", {"code": code.code})

    assert fresh_account.status_code == 429
    assert "Please wait" in text(fresh_account)
    assert elsewhere.status_code == 302
    assert Enrolment.objects.count() == 1


def test_a_member_on_a_fresh_address_still_waits_out_their_own_limit() -> None:
    client = member_at("192.0.2.10")
    assert wrong_codes(client, REDEEM_ATTEMPTS) == [400] * REDEEM_ATTEMPTS
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    assert client.post("/series/redeem/", {"code": AccessCodeFactory().code}).status_code == 429


def test_behind_a_proxy_a_forged_forwarded_address_does_not_make_a_new_client(settings) -> None:
    # The proxy appends the address it saw; whatever the client wrote stands before it.
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    accounts = REDEEM_CLIENT_ATTEMPTS // REDEEM_ATTEMPTS
    for n in range(accounts):
        client = member_at("127.0.0.1")
        forged = {"HTTP_X_FORWARDED_FOR": f"10.0.0.{n}, 203.0.113.5"}
        assert wrong_codes(client, REDEEM_ATTEMPTS, **forged) == [400] * REDEEM_ATTEMPTS

    same_client = member_at("127.0.0.1").post(
        "/series/redeem/",
        {"code": AccessCodeFactory().code},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5",
    )
    other_client = member_at("127.0.0.1").post(
        "/series/redeem/",
        {"code": AccessCodeFactory().code},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )

    assert same_client.status_code == 429
    assert other_client.status_code == 302


def test_an_ipv6_client_is_counted_by_its_slash_64() -> None:
    accounts = REDEEM_CLIENT_ATTEMPTS // REDEEM_ATTEMPTS
    for n in range(accounts):
        client = member_at(f"2001:db8:1:2::{n + 1:x}")
        assert wrong_codes(client, REDEEM_ATTEMPTS) == [400] * REDEEM_ATTEMPTS

    neighbour = member_at("2001:db8:1:2:ffff::9")
    assert neighbour.post("/series/redeem/", {"code": "WRONG"}).status_code == 429
    other_network = member_at("2001:db8:1:3::1")
    assert other_network.post("/series/redeem/", {"code": "WRONG"}).status_code == 400


# --- asking to hear of the next release --------------------------------------------------------


def test_a_visitor_asks_to_hear_of_the_next_release(client) -> None:
    series = SeriesFactory(ended=True)
    response = client.post(
        "/series/notify/", {"email": "reader@example.net", "series": series.slug}
    )
    assert response.status_code == 200
    assert "We will write to reader@example.net" in text(response)
    notice = ReleaseNotice.objects.get()
    assert (notice.email, notice.series) == ("reader@example.net", series)
    # The address is private: nothing on the series page shows it.
    assert "reader@example.net" not in client.get(series.get_absolute_url()).content.decode()


def test_a_bad_address_answers_400_on_the_series_page_with_the_input_kept(client) -> None:
    series = SeriesFactory(ended=True)
    response = client.post("/series/notify/", {"email": "not-an-address", "series": series.slug})
    assert response.status_code == 400
    tree = page(response)
    assert [h.text_content() for h in tree.xpath("//h1")] == [series.title]
    assert tree.xpath("//input[@name='email']/@value") == ["not-an-address"]
    assert tree.xpath("//*[@id='notice-email-error'][@role='alert']")
    assert not ReleaseNotice.objects.exists()


def test_a_robot_filling_the_hidden_field_is_thanked_and_forgotten(client) -> None:
    response = client.post(
        "/series/notify/", {"email": "bot@example.net", "website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert not ReleaseNotice.objects.exists()


def test_a_member_asking_for_news_must_send_the_csrf_token(member) -> None:
    client = logged_in(Client(enforce_csrf_checks=True), member)
    response = client.post("/series/notify/", {"email": "m@example.net"})
    assert response.status_code == 403
    assert not ReleaseNotice.objects.exists()


# --- the post page's clip ----------------------------------------------------------------------


def post_tree(client: Client, post: Any) -> lxml.html.HtmlElement:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return page(response)


def test_a_post_with_an_uploaded_clip_shows_an_accessible_player_and_its_series(client) -> None:
    series = SeriesFactory(title="Working with Couples")
    session = SessionFactory(series=series, title="After a betrayal")
    post = PostFactory()
    clip = ClipFactory(series=series, session=session, post=post, uploaded=True, starts_at=754)

    tree = post_tree(client, post)

    (wrapper,) = tree.xpath("//article//div[@class='clip']")
    (video,) = wrapper.xpath(".//video[@id='clip-player']")
    assert video.get("controls") is not None and video.get("preload") == "metadata"
    assert video.get("poster") == clip.media_url("poster")
    assert video.xpath(".//source/@src") == [clip.media_url("video")]
    (track,) = video.xpath(".//track")
    assert track.get("src") == clip.media_url("captions")
    assert (track.get("kind"), track.get("srclang"), track.get("label")) == (
        "captions",
        "en",
        "English",
    )
    box = " ".join(wrapper.xpath(".//p[@class='clip__source']")[0].text_content().split())
    assert box.startswith(
        "This clip is taken from Working with Couples, session “After a betrayal”"
    )
    assert "at 12:34" in box and "Learn more about Working with Couples" in box
    assert wrapper.xpath(f".//a[@href='{series.get_absolute_url()}']")
    assert tree.xpath("//script[@defer][contains(@src, 'webcasts/player.js')]")


def test_a_post_with_a_vimeo_clip_embeds_the_host_player(client) -> None:
    post = PostFactory()
    ClipFactory(post=post, video_url="https://vimeo.com/76979871")
    tree = post_tree(client, post)
    (frame,) = tree.xpath("//div[@class='clip']//iframe[@id='clip-player']")
    assert frame.get("src") == "https://player.vimeo.com/video/76979871"
    assert frame.get("title", "").startswith("Video: ")
    assert not tree.xpath("//script[contains(@src, 'webcasts/player.js')]")


def test_a_post_without_a_clip_shows_none(client) -> None:
    ClipFactory(post=PostFactory())
    tree = post_tree(client, PostFactory())
    assert not tree.xpath("//*[contains(@class, 'clip')]")


def test_a_members_only_post_shows_its_clip_to_members_only(client, member) -> None:
    post = PostFactory()
    post.visibility = PostVisibility.MEMBERS
    post.save()
    ClipFactory(post=post)
    assert not post_tree(client, post).xpath("//div[@class='clip']")
    assert post_tree(logged_in(Client(), member), post).xpath("//div[@class='clip']")


def test_a_clip_of_an_unpublished_series_stays_off_the_post(client) -> None:
    post = PostFactory()
    ClipFactory(post=post, series=SeriesFactory(draft=True))
    assert not post_tree(client, post).xpath("//div[@class='clip']")


def warm_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_clip_adds_no_query_to_a_warm_post_page_and_one_to_a_cold_one(
    client, django_assert_max_num_queries
) -> None:
    plain = PostFactory()
    with_clip = PostFactory()
    session = SessionFactory()
    ClipFactory(post=with_clip, series=session.series, session=session, uploaded=True)

    assert warm_queries(client, with_clip.get_absolute_url()) == warm_queries(
        client, plain.get_absolute_url()
    )
    with django_assert_max_num_queries(0):
        client.get(with_clip.get_absolute_url())

    cache.clear()
    with CaptureQueriesContext(connection) as cold_plain:
        client.get(plain.get_absolute_url())
    cache.clear()
    with CaptureQueriesContext(connection) as cold_clip:
        client.get(with_clip.get_absolute_url())
    assert len(cold_clip) - len(cold_plain) <= 1


def test_changing_a_clip_shows_at_once_on_its_post(client) -> None:
    post = PostFactory()
    clip = ClipFactory(post=post, title="First title")
    assert "First title" in text(client.get(post.get_absolute_url()))
    clip.title = "Second title"
    clip.save()
    assert "Second title" in text(client.get(post.get_absolute_url()))


# --- the member's account section and data -----------------------------------------------------


def render_account_section(member: Any) -> lxml.html.HtmlElement:
    request = RequestFactory().get("/account/")
    request.user = member
    return lxml.html.fromstring(slots.account_series(request, member))


def test_the_account_section_lists_the_members_enrolments(member) -> None:
    open_series = SeriesFactory(title="Open series")
    EnrolmentFactory(user=member, series=open_series)
    lapsed = EnrolmentFactory(user=member, series=SeriesFactory(title="Lapsed series"))
    services.end_enrolment(enrolment=lapsed)

    section = render_account_section(member)

    items = [" ".join(li.text_content().split()) for li in section.xpath("//li")]
    assert len(items) == 2
    assert any(i.startswith("Open series — until") for i in items)
    assert any(i.startswith("Lapsed series — ended") for i in items)
    assert section.xpath("//h2")[0].text_content() == "Webcast series"


def test_the_account_section_of_a_member_without_enrolments_says_so() -> None:
    section = render_account_section(UserFactory())
    assert "You are not enrolled in any webcast series." in section.text_content()

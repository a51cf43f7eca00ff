"""A member's account page, public page, picture, credential, data export and deletion,
through the test client, the services and the admin."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from stoa.core.cache import content_version
from stoa.core.pagecache import MIDDLEWARE_PATH
from stoa.members import services, signals
from stoa.members.avatars import MAX_UPLOAD_BYTES, STORED_SIZE
from stoa.members.models import Profile, User
from stoa.members.tests.factories import UserFactory
from stoa.members.tests.helpers import PASSWORD, errors, main_text, page, text_of, verified_member

pytestmark = pytest.mark.django_db


def picture(
    fmt: str = "PNG", size: tuple[int, int] = (400, 300), name: str = "me.png", **save: Any
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def profile_data(**overrides: Any) -> dict[str, Any]:
    return {"display_name": "Ada R.", "bio": "I supervise.", "credential": "", **overrides}


def logged_in(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


class Recorder:
    """Keeps what a signal sent."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def profile_changes() -> Any:
    recorder = Recorder()
    signals.profile_changed.connect(recorder, dispatch_uid="test-recorder")
    yield recorder
    signals.profile_changed.disconnect(dispatch_uid="test-recorder")


# --- The account page -------------------------------------------------------------------------


def test_every_account_has_a_profile_from_the_start() -> None:
    member = UserFactory()
    assert Profile.objects.get(user=member).display_name == ""
    assert member.display_name == member.get_full_name()


def test_the_account_page_is_for_its_member_only_and_never_cached(own_slots: None) -> None:
    member = UserFactory(first_name="Ada", last_name="Reader")
    response = logged_in(member).get(reverse("members:account"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    doc = page(response)
    assert [text_of(h) for h in doc.xpath("//h1")] == ["Your account"]
    assert [text_of(h) for h in doc.xpath("//main//h2")] == [
        "Your profile",
        "Your comments",
        "Email notifications",
        "Your data",
    ]
    for field in doc.xpath("//main//form//input[not(@type='hidden')] | //main//form//textarea"):
        assert doc.xpath(f'//label[@for="{field.get("id")}"]'), field.get("name")


def test_a_member_saves_their_name_bio_and_credential(profile_changes: Any) -> None:
    member = UserFactory()
    client = logged_in(member)

    response = client.post(
        reverse("members:account"),
        profile_data(display_name="  Ada   Reader ", credential="Licensed clinical social worker"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("members:account")
    profile = Profile.objects.get(user=member)
    assert (profile.display_name, profile.bio) == ("Ada Reader", "I supervise.")
    assert profile.credential == "Licensed clinical social worker"
    assert profile.credential_verified_at is None
    # Others are told what changed that they show: the name (the credential is unverified).
    assert [c["fields"] for c in profile_changes.calls] == [frozenset({"display_name"})]
    shown = client.get(response["Location"])
    assert "Your profile is saved." in main_text(shown)
    assert "Ada Reader" in main_text(shown)


def test_a_profile_with_mistakes_is_shown_again_with_them_and_what_was_typed() -> None:
    member = UserFactory()
    response = logged_in(member).post(
        reverse("members:account"), profile_data(display_name="x" * 81, bio="My bio")
    )
    assert response.status_code == 400
    doc = page(response)
    name = doc.get_element_by_id("id_display_name")
    assert name.get("value") == "x" * 81
    assert name.get("aria-invalid") == "true"
    assert "id_display_name_error" in name.get("aria-describedby").split()
    assert "at most 80 characters" in text_of(doc.get_element_by_id("id_display_name_error"))
    assert doc.get_element_by_id("id_bio").text_content().strip() == "My bio"
    assert doc.xpath('//*[@role="alert"]')
    assert Profile.objects.get(user=member).display_name == ""


def save_profile(client: Client, **fields: Any) -> Any:
    return client.post(reverse("members:account"), profile_data(**fields))


def test_profile_saves_are_limited_and_the_refusal_keeps_what_was_typed() -> None:
    member = UserFactory()
    client = logged_in(member)
    for n in range(10):
        assert save_profile(client, display_name=f"Ada {n}").status_code == 302

    response = save_profile(client, display_name="Ada eleven", bio="Still typing this.")

    assert response.status_code == 429
    doc = page(response)
    assert doc.get_element_by_id("id_display_name").get("value") == "Ada eleven"
    assert doc.get_element_by_id("id_bio").text_content().strip() == "Still typing this."
    assert "Please wait a few minutes and save again" in errors(response)
    assert doc.xpath('//*[@role="alert"]')
    assert Profile.objects.get(user=member).display_name == "Ada 9"


def test_a_refused_save_stores_no_picture_and_asks_for_it_again(media: Path) -> None:
    member = UserFactory()
    client = logged_in(member)
    for _ in range(10):
        save_profile(client)

    response = client.post(reverse("members:account"), profile_data(avatar=picture()))

    assert response.status_code == 429
    assert "choose your picture again" in errors(response)
    assert not Profile.objects.get(user=member).avatar
    assert stored_files(media) == []


def test_the_profile_save_limit_is_each_members_own() -> None:
    first = logged_in(UserFactory())
    for _ in range(10):
        save_profile(first)
    assert save_profile(first).status_code == 429

    assert save_profile(logged_in(UserFactory())).status_code == 302


def test_the_profile_save_limit_comes_from_account_rate_limits(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "update_profile": "2/m/user"}
    client = logged_in(UserFactory())

    statuses = [save_profile(client).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_showing_the_account_page_is_not_a_save() -> None:
    client = logged_in(UserFactory())
    for _ in range(12):
        assert client.get(reverse("members:account")).status_code == 200
    assert save_profile(client).status_code == 302


def test_saving_an_unchanged_profile_tells_nobody(profile_changes: Any) -> None:
    member = UserFactory()
    services.update_profile(user=member, display_name="Ada", bio="", credential="")
    profile_changes.calls.clear()
    services.update_profile(user=member, display_name="Ada", bio="New bio", credential="")
    assert profile_changes.calls == []


def test_the_service_checks_what_the_form_checks() -> None:
    member = UserFactory()
    with pytest.raises(ValidationError) as raised:
        services.update_profile(user=member, display_name="", bio="b" * 601, credential="")
    assert "bio" in raised.value.message_dict


# --- Pictures ---------------------------------------------------------------------------------


def test_an_uploaded_picture_is_re_encoded_as_a_small_square_without_its_metadata(
    media: Path,
) -> None:
    member = UserFactory()
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    upload = picture("JPEG", (640, 480), "holiday.jpg", exif=exif.tobytes())

    response = logged_in(member).post(
        reverse("members:account"), profile_data(avatar=upload), format="multipart"
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.avatar.name.startswith("avatars/")
    assert profile.avatar.name.endswith(".webp")
    assert "holiday" not in profile.avatar.name
    with Image.open(profile.avatar.path) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (STORED_SIZE, STORED_SIZE)
        assert not stored.getexif()
    shown = page(logged_in(member).get(reverse("members:account")))
    assert shown.xpath(f'//main//img[@class="avatar"][@src="{profile.avatar.url}"]')
    assert stored_files(media) == [Path(profile.avatar.path)]


def test_a_picture_taken_sideways_is_stored_upright_and_without_where_it_was_taken() -> None:
    member = UserFactory()
    # As a phone held upright writes it: stored on its side, red on the left, with
    # orientation 6 (turn 90° clockwise to show) and a GPS location.
    sideways = Image.new("RGB", (640, 480), "blue")
    sideways.paste("red", (0, 0, 320, 480))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
    }
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = logged_in(member).post(
        reverse("members:account"), profile_data(avatar=upload), format="multipart"
    )

    assert response.status_code == 302
    with Image.open(Profile.objects.get(user=member).avatar.path) as stored:
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        top, bottom = stored.getpixel((128, 10)), stored.getpixel((128, 245))
        assert top[0] > 180 and top[2] < 80  # red: the left of the sensor is the top
        assert bottom[2] > 180 and bottom[0] < 80


def test_an_animated_gif_keeps_its_first_frame() -> None:
    member = UserFactory()
    frames = [Image.new("RGB", (50, 50), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    upload = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")
    services.update_profile(user=member, display_name="", bio="", credential="", avatar=upload)
    with Image.open(Profile.objects.get(user=member).avatar.path) as stored:
        assert getattr(stored, "n_frames", 1) == 1
        red, green, blue, *_ = stored.getpixel((10, 10))
        assert red > 200 and blue < 60


BAD_UPLOADS = {
    "not a picture": (
        SimpleUploadedFile("cv.pdf", b"%PDF-1.4 not an image", content_type="application/pdf"),
        "not a picture we can read",
    ),
    "a broken picture": (
        SimpleUploadedFile("me.png", picture().read()[:120], content_type="image/png"),
        "not a picture we can read",
    ),
    "a picture of a kind we do not take": (
        picture("BMP", name="me.bmp"),
        "not a picture we can read",
    ),
    "too many pixels": (
        picture("PNG", (7000, 7000)),
        "too many pixels",
    ),
    "too large a file": (
        SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * MAX_UPLOAD_BYTES, "image/png"),
        "limited to 2 MB",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_stored(
    case: str, media: Path
) -> None:
    upload, message = BAD_UPLOADS[case]
    upload.seek(0)
    member = UserFactory()
    response = logged_in(member).post(
        reverse("members:account"), profile_data(avatar=upload), format="multipart"
    )
    assert response.status_code == 400
    assert message in errors(response)
    field = page(response).get_element_by_id("id_avatar")
    assert "id_avatar_error" in field.get("aria-describedby").split()
    assert page(response).get_element_by_id("id_display_name").get("value") == "Ada R."
    assert not Profile.objects.get(user=member).avatar
    assert stored_files(media) == []


def test_a_new_picture_replaces_the_old_file_and_removing_it_brings_back_the_initials(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    member = UserFactory(first_name="Ada", last_name="Reader")
    client = logged_in(member)
    client.post(reverse("members:account"), profile_data(avatar=picture()), format="multipart")
    first = Profile.objects.get(user=member).avatar.name
    with_second = profile_data(avatar=picture("PNG", (90, 90)))
    # The old file goes once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:account"), with_second, format="multipart")
    second = Profile.objects.get(user=member).avatar.name
    assert second != first
    assert [p.name for p in stored_files(media)] == [Path(second).name]

    form = page(client.get(reverse("members:account")))
    assert form.get_element_by_id("id_remove_avatar") is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:account"), profile_data(remove_avatar="on"))

    assert not Profile.objects.get(user=member).avatar
    assert stored_files(media) == []
    shown = page(client.get(reverse("members:account")))
    assert text_of(shown.xpath('//main//svg[@class="avatar"]')[0]) == "AR"


# --- Credentials ------------------------------------------------------------------------------


def moderator_with(*codenames: str) -> User:
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
    )
    return moderator


def test_a_moderator_verifies_a_credential_in_the_admin_and_who_and_when_are_kept(
    profile_changes: Any,
) -> None:
    member = UserFactory()
    services.update_profile(
        user=member, display_name="", bio="", credential="Licensed clinical social worker"
    )
    moderator = moderator_with("view_profile", "verify_credential")
    client = logged_in(moderator)
    changelist = reverse("admin:members_profile_changelist")
    waiting = client.get(changelist, {"credential": "waiting"})
    assert "Licensed clinical social worker" in waiting.content.decode()

    response = client.post(
        changelist,
        {"action": "verify_credentials", "_selected_action": [member.profile.pk]},
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.credential_verified_by == moderator
    assert profile.credential_verified_at is not None
    assert profile.verified_credential == "Licensed clinical social worker"
    assert profile_changes.calls[-1]["fields"] == frozenset({"credential"})


def test_without_the_permission_there_is_no_verify_action() -> None:
    member = UserFactory()
    services.update_profile(user=member, display_name="", bio="", credential="LCSW")
    client = logged_in(moderator_with("view_profile"))
    changelist = reverse("admin:members_profile_changelist")
    actions = page(client.get(changelist)).xpath('//select[@name="action"]/option/@value')
    assert "verify_credentials" not in actions
    client.post(changelist, {"action": "verify_credentials", "_selected_action": [member.pk]})
    assert Profile.objects.get(user=member).credential_verified_at is None


def test_the_moderator_role_may_verify_credentials() -> None:
    from django.contrib.auth.models import Group

    moderators = Group.objects.get(name="Moderator")
    codenames = set(moderators.permissions.values_list("codename", flat=True))
    assert {"view_profile", "verify_credential"} <= codenames


def test_changing_a_verified_credential_clears_its_verification(profile_changes: Any) -> None:
    member = UserFactory()
    services.update_profile(user=member, display_name="", bio="", credential="LCSW")
    services.verify_credential(profile=member.profile, moderator=moderator_with())
    profile_changes.calls.clear()

    services.update_profile(user=member, display_name="", bio="", credential="LCSW, PhD")

    profile = Profile.objects.get(user=member)
    assert profile.credential == "LCSW, PhD"
    assert profile.credential_verified_at is None
    assert profile.credential_verified_by is None
    assert profile.verified_credential == ""
    assert profile_changes.calls[-1]["fields"] == frozenset({"credential"})


def test_an_empty_credential_cannot_be_verified() -> None:
    member = UserFactory()
    with pytest.raises(ValidationError):
        services.verify_credential(profile=member.profile, moderator=moderator_with())


def test_a_member_sees_whether_their_credential_is_verified() -> None:
    member = UserFactory()
    services.update_profile(user=member, display_name="", bio="", credential="LCSW")
    client = logged_in(member)
    help_id = "id_credential_helptext"
    before = text_of(page(client.get(reverse("members:account"))).get_element_by_id(help_id))
    services.verify_credential(profile=member.profile, moderator=moderator_with())
    after = text_of(page(client.get(reverse("members:account"))).get_element_by_id(help_id))
    assert "not verified it yet" in before
    assert "has verified it" in after


# --- The public page --------------------------------------------------------------------------


def test_a_members_public_page_shows_their_name_picture_bio_and_verified_credential() -> None:
    member = UserFactory(email="ada.private@example.net")
    services.update_profile(
        user=member, display_name="Ada Reader", bio="I supervise.", credential="LCSW"
    )
    url = reverse("members:profile", kwargs={"pk": member.pk})
    unverified = Client().get(url)
    services.verify_credential(profile=member.profile, moderator=moderator_with())
    verified = Client().get(url)

    assert verified.status_code == 200
    doc = page(verified)
    assert [text_of(h) for h in doc.xpath("//h1")] == ["Ada Reader"]
    assert doc.xpath('//main//svg[@class="avatar"]')
    assert "I supervise." in main_text(verified)
    assert "LCSW" in main_text(verified)
    assert "LCSW" not in main_text(unverified)
    for response in (verified, unverified):
        assert "ada.private" not in response.content.decode()
        assert member.username not in response.content.decode()


def test_there_is_no_public_page_for_an_inactive_or_unknown_account() -> None:
    gone = UserFactory(is_active=False)
    assert Client().get(reverse("members:profile", kwargs={"pk": gone.pk})).status_code == 404
    assert Client().get(reverse("members:profile", kwargs={"pk": 999_999})).status_code == 404


def test_a_cached_public_page_changes_as_soon_as_the_member_changes_their_name(
    settings: Any,
) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    member = UserFactory()
    services.update_profile(user=member, display_name="Ada", bio="", credential="")
    url = reverse("members:profile", kwargs={"pk": member.pk})
    assert Client().get(url)["X-Stoa-Cache"] == "miss"
    assert Client().get(url)["X-Stoa-Cache"] == "hit"
    before = content_version()

    services.update_profile(user=member, display_name="Ada Reader", bio="", credential="")

    assert content_version() != before
    fresh = Client().get(url)
    assert fresh["X-Stoa-Cache"] == "miss"
    assert [text_of(h) for h in page(fresh).xpath("//h1")] == ["Ada Reader"]


# --- Export -----------------------------------------------------------------------------------


def test_a_member_downloads_their_data_as_a_json_file(own_slots: None) -> None:
    member = verified_member(email="ada@example.net")
    services.update_profile(user=member, display_name="Ada", bio="Hello", credential="LCSW")
    UserFactory()  # someone else, who must not appear

    response = logged_in(member).get(reverse("members:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"] == {
        "display_name": "Ada",
        "bio": "Hello",
        "avatar": None,
        "credential": "LCSW",
        "credential_verified_at": None,
    }
    assert data["account"]["email"] == "ada@example.net"
    assert data["account"]["email_addresses"] == [
        {"email": "ada@example.net", "verified": True, "primary": True}
    ]
    assert data["comments"] == [] and data["subscriptions"] == []
    assert dt.datetime.fromisoformat(data["exported_at"])


def test_an_exporter_that_does_not_load_fails_loudly(settings: Any) -> None:
    settings.STOA = {**settings.STOA, "ACCOUNT_EXPORTERS": ["stoa.nowhere.member_data"]}
    with pytest.raises(ImportError):
        services.export_data(user=UserFactory())


def test_two_exporters_may_not_claim_the_same_key(settings: Any) -> None:
    exporters = ["stoa.discussion.exports.member_data"] * 2
    settings.STOA = {**settings.STOA, "ACCOUNT_EXPORTERS": exporters}
    with pytest.raises(ValueError, match="comments"):
        services.export_data(user=UserFactory())


def test_export_and_deletion_need_a_member() -> None:
    for name in ("members:export", "members:delete", "members:account"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


# --- Deletion ---------------------------------------------------------------------------------


def test_deleting_needs_the_password_and_a_choice_about_comments() -> None:
    member = UserFactory()
    client = logged_in(member)
    form = page(client.get(reverse("members:delete")))
    assert [text_of(h) for h in form.xpath("//h1")] == ["Delete your account"]
    assert form.xpath('//fieldset/legend[contains(., "Your comments")]')

    nothing = client.post(reverse("members:delete"), {})
    wrong = client.post(reverse("members:delete"), {"comments": "keep", "password": "wrong"})

    assert nothing.status_code == wrong.status_code == 400
    assert "Please choose what happens to your comments." in errors(nothing)
    assert "Please type your password" in errors(nothing)
    assert "That is not your password." in errors(wrong)
    assert page(wrong).xpath('//input[@value="keep"][@checked]')
    assert User.objects.filter(pk=member.pk).exists()


def test_a_member_deletes_their_account_with_their_picture_and_is_logged_out(
    media: Path, own_slots: None, django_capture_on_commit_callbacks: Any
) -> None:
    member = UserFactory()
    services.update_profile(
        user=member, display_name="Ada", bio="", credential="", avatar=picture()
    )
    client = logged_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:delete"), {"comments": "remove", "password": PASSWORD}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("members:deleted")
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Profile.objects.filter(user_id=member.pk).exists()
    assert stored_files(media) == []
    goodbye = client.get(response["Location"])
    assert "Your account is deleted" in main_text(goodbye)
    assert "Log in" in text_of(page(goodbye).xpath('//nav[@aria-label="Account"]')[0])


def test_password_guesses_on_the_deletion_page_are_limited() -> None:
    member = UserFactory()
    client = logged_in(member)
    statuses = [
        client.post(
            reverse("members:delete"), {"comments": "keep", "password": "guess"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert User.objects.filter(pk=member.pk).exists()


# --- With every app's sections and exporters, as configured ----------------------------------


def test_the_account_page_and_the_export_bring_in_every_configured_app(settings: Any) -> None:
    sections = settings.STOA["ACCOUNT_SECTIONS"]
    assert "stoa.webcasts.slots.account_series" in sections
    member = verified_member()
    client = logged_in(member)

    response = client.get(reverse("members:account"))
    data = json.loads(client.get(reverse("members:export")).content)

    assert response.status_code == 200
    headings = page(response).xpath("//main//section[@class='account-section']/h2")
    # The profile and "Your data" are the page's; the guest comments to claim show only when
    # there are some (none for this member).
    assert len(headings) == len(sections) - 1 + 2
    assert {"profile", "comments", "subscriptions", "enrolments"} <= data.keys()

"""Avatars: drawn here from initials, or a member's uploaded picture, checked and re-encoded."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.safestring import SafeString

from stoa.core import images

if TYPE_CHECKING:
    from stoa.members.models import User

# Background colours for initials avatars: dark enough for white text (WCAG AA).
COLOURS = (
    "#7a2e1f", "#1f5f7a", "#4b3f8c", "#2f6b3a", "#8a4b0f", "#6b2f5c",
    "#3d5a80", "#5c4d3c", "#0f6b6b", "#7a3b52", "#44566c", "#6a5d1a",
)  # fmt: skip

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Stored square, at twice the largest size shown, for sharp high-density screens.
STORED_SIZE = 256
# Members' pictures may also be GIFs (the first frame of an animation is kept); all are stored
# as WebP.
AVATAR = images.ImagePolicy(
    side=STORED_SIZE,
    square=True,
    output=images.WEBP,
    accepts=images.WEB_FORMATS | {images.GIF},
)


def initials(name: str) -> str:
    """One or two capital letters for an avatar."""
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    letters = "".join(w[0] for w in words[:2]) or "?"
    return letters.upper()


def initials_svg(*, seed: str, name: str, size: int = 48) -> SafeString:
    """A circle of a colour chosen by `seed` with the name's initials on it."""
    digest = hashlib.sha256(seed.strip().lower().encode()).hexdigest()
    colour = COLOURS[int(digest[:8], 16) % len(COLOURS)]
    return format_html(
        '<svg class="avatar" viewBox="0 0 48 48" width="{}" height="{}" aria-hidden="true" '
        'focusable="false"><rect width="48" height="48" rx="24" fill="{}"/>'
        '<text x="24" y="30" text-anchor="middle" font-size="18" font-family="sans-serif" '
        'fill="#fff">{}</text></svg>',
        size,
        size,
        colour,
        initials(name),
    )


def member_avatar(user: User, *, size: int = 48) -> SafeString:
    """A member's uploaded picture, or their initials on a colour fixed by their account."""
    from stoa.members.models import display_name

    # The account's id, not its email address, picks the colour: it never changes and says
    # nothing about the member.
    profile = getattr(user, "profile", None)
    if profile is not None and profile.avatar:
        return format_html(
            '<img class="avatar" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            profile.avatar.url,
            size,
            size,
        )
    return initials_svg(seed=f"member:{user.pk}", name=display_name(user), size=size)


def prepare_avatar(upload: UploadedFile) -> ContentFile[bytes]:
    """Check an uploaded picture and re-encode it as a small square WebP, or raise
    ValidationError({"avatar": ...}) saying why not."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "avatar": f"Pictures are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
                f"this one is {upload.size / (1024 * 1024):.1f} MB."
            }
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"avatar": f"Pictures are limited to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."}
        )
    try:
        picture = images.prepare_image(data, policy=AVATAR)
    except images.ImageRefused as refusal:
        refused = ValidationError(refusal.message, code=refusal.code)
        raise ValidationError({"avatar": refused}) from refusal
    return ContentFile(picture.data)

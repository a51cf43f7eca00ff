"""The account page's forms. The services check everything again: these are for messages."""

from __future__ import annotations

from typing import Any

from django import forms

from stoa.members import avatars, services
from stoa.members.models import Profile, User


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name", max_length=services.DISPLAY_NAME_MAX, required=False
    )
    bio = forms.CharField(
        label="Short bio",
        max_length=services.BIO_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A few words about you and your work, up to {services.BIO_MAX} characters. "
        "Shown on your public page.",
    )
    credential = forms.CharField(
        label="Professional credential",
        max_length=services.CREDENTIAL_MAX,
        required=False,
    )
    avatar = forms.FileField(
        label="Picture",
        required=False,
        # A plain file input: the picture shown above the form and "Remove my picture" take
        # the place of ClearableFileInput's "currently" and "clear".
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text=f"A JPEG, PNG, GIF or WebP image of up to "
        f"{avatars.MAX_UPLOAD_BYTES // (1024 * 1024)} MB; it is cropped to a square.",
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    def __init__(self, *args: Any, user: User, profile: Profile, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "display_name": profile.display_name,
                "bio": profile.bio,
                "credential": profile.credential,
            },
        )
        super().__init__(*args, **kwargs)
        fallback = user.get_full_name() or user.get_username()
        self.fields["display_name"].help_text = (
            "Shown with your comments and on your public page. "
            f"Left empty, your comments are signed “{fallback}”."
        )
        if profile.credential and profile.credential_verified_at:
            status = "A moderator has verified it: it shows as a badge on your comments."
        elif profile.credential:
            status = "A moderator has not verified it yet; until then it is not shown."
        else:
            status = "A moderator verifies it before it shows as a badge on your comments."
        self.fields["credential"].help_text = (
            f"For example “Licensed clinical social worker”. {status} Changing it asks for a "
            "new verification."
        )
        if not profile.avatar:
            del self.fields["remove_avatar"]

    def clean_avatar(self) -> Any:
        upload = self.cleaned_data.get("avatar")
        if upload is not None and upload.size and upload.size > avatars.MAX_UPLOAD_BYTES:
            limit = avatars.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(
                f"Pictures are limited to {limit} MB; this one is "
                f"{upload.size / (1024 * 1024):.1f} MB."
            )
        return upload


class DeleteAccountForm(forms.Form):
    KEEP, REMOVE = "keep", "remove"

    comments = forms.ChoiceField(
        label="Your comments",
        choices=[
            (REMOVE, "Delete my comments too"),
            (KEEP, "Keep my comments, signed “Former member”, without my name or picture"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose what happens to your comments."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Please type your password to confirm."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password

    @property
    def keep_comments(self) -> bool:
        return self.cleaned_data["comments"] == self.KEEP

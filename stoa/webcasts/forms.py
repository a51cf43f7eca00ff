"""The reader-facing forms: redeeming an access code, asking to hear of the next release."""

from __future__ import annotations

from typing import Any

from django import forms

from stoa.webcasts.services import normalise_code


class RedeemForm(forms.Form):
    code = forms.CharField(
        label="Access code",
        max_length=60,
        help_text="Letters and digits, as printed; dashes and spaces don't matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not normalise_code(code):
            raise forms.ValidationError("Type the code's letters and digits.")
        return code


class ReleaseNoticeForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="Used once, to tell you of the next release; never shown or shared.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    series = forms.SlugField(required=False, widget=forms.HiddenInput)
    # Left empty by people; robots fill in every field they find.
    website = forms.CharField(required=False, label="Leave this empty")

    def is_robot(self) -> bool:
        data: dict[str, Any] = self.cleaned_data if self.is_bound else {}
        return bool(data.get("website"))

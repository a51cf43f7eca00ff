"""The redirect table in the back office: editors see, search and edit every old address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from stoa.core import services
from stoa.core.models import Redirect


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "new_path", "note"]
        widgets = {
            "old_path": forms.TextInput(attrs={"size": 80}),
            "new_path": forms.TextInput(attrs={"size": 80}),
        }
        help_texts = {
            "old_path": "A path of this site, with its query if it has one: /2019/04/a-post/, "
            "/?p=12. A full old address may be pasted: only its path and query are kept.",
            "new_path": "Where readers go: a path of this site (/2024/03/a-post/) or a full "
            "address elsewhere.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Said on the form, as the service would refuse it.
        try:
            old = services.normal_old_path(data.get("old_path", ""))
            new = services.normal_new_path(data.get("new_path", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict) from error
        if new.partition("#")[0] == old:
            self.add_error("new_path", "An address cannot be redirected to itself.")
        others = Redirect.objects.filter(old_path=old).exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error("old_path", "This old address is redirected already.")
        data["old_path"], data["new_path"] = old, new
        return data

    def validate_unique(self) -> None:
        # Checked in clean() on the normal form of the address, which is what is stored.
        return None


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "new_path", "note", "created_at"]
    search_fields = ["old_path", "new_path", "note"]
    list_filter = ["note"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]
    list_per_page = 100

    def save_model(self, request: HttpRequest, obj: Redirect, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {"old_path": data["old_path"], "new_path": data["new_path"], "note": data["note"]}
        if change:
            saved = services.change_redirect(redirect=Redirect.objects.get(pk=obj.pk), **fields)
        else:
            saved = services.add_redirect(**fields)
        obj.pk, obj.created_at, obj.new_path = saved.pk, saved.created_at, saved.new_path
        obj._state.adding = False

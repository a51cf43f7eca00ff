"""The redirect table in the back office: editors see, search and edit every old address;
and the hook through which an app answers other apps' admin search boxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from stoa.core import services
from stoa.core.conf import stoa_setting
from stoa.core.models import Redirect


class IndexedSearchMixin(admin.ModelAdmin):
    """A ModelAdmin whose search box the functions settings.STOA["ADMIN_SEARCH"] may answer
    (`(model_admin, request, queryset, term) -> (rows, may_duplicate) | None`, the first
    answer wins): the search app answers posts and comments from its index, so a moderator
    looking for a commenter's earlier remarks does not scan 400,000 rows with LIKE, and the
    owning apps never import it. None from every hook: Django's own search answers."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        for path in stoa_setting("ADMIN_SEARCH"):
            found = import_string(path)(self, request, queryset, search_term)
            if found is not None:
                return found
        return super().get_search_results(request, queryset, search_term)


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

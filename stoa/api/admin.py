"""Personal API tokens in the back office: made for a member (the secret shown once, in the
message after saving), looked at, and revoked; never edited, never shown again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from stoa.api import services
from stoa.api.models import ApiToken, EmbeddedThread, Scope


class NewTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, name, scopes = data.get("user"), data.get("name", ""), data.get("scopes") or []
        if user is not None:
            # The service's own rules, asked before anything is written (save_model writes).
            services.check_token(user=user, name=name, scopes=scopes)
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]
    date_hierarchy = "created_at"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = NewTokenForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("user", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name", "scopes"]
        return ["user", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token changes but its revocation (the action)
        token, secret = services.create_token(
            user=obj.user, name=obj.name, scopes=form.cleaned_data["scopes"]
        )
        obj.pk, obj.prefix, obj.digest, obj.scopes = (
            token.pk,
            token.prefix,
            token.digest,
            token.scopes,
        )
        obj.created_at = token.created_at
        obj._state.adding = False
        # Shown once, in the next page's message (Django's messages are used up by showing
        # them); give it to the member by a channel of your own.
        messages.warning(request, f"The token's secret, shown only now: {secret}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_token(token=token)
            count += 1
        self.message_user(request, f"{count} token{'s' if count != 1 else ''} revoked.")


@admin.register(EmbeddedThread)
class EmbeddedThreadAdmin(admin.ModelAdmin):
    """Which page of another site shows which post's discussion (made by stoa.api.embed):
    looked at, never written here; the post itself is edited as any post."""

    list_display = ["url", "origin", "post", "created_at"]
    search_fields = ["url", "post__title"]
    readonly_fields = ["url", "origin", "post", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

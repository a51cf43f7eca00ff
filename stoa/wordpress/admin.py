"""The back office of the WordPress move: an editor uploads an export, the import runs as a
background task, and its page shows the progress, then the report (read-only)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from stoa.members.models import User
from stoa.wordpress import services
from stoa.wordpress.models import ImportKind, ImportRun

# An export larger than this is imported from the command line (stoa import-wordpress).
MAX_UPLOAD = 1024 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file is",
        choices=ImportKind.choices,
        initial=ImportKind.WXR,
        required=False,
        widget=forms.RadioSelect,
        help_text="A Disqus export brings its threads' comments onto the posts already here "
        "(import the WordPress export first).",
    )
    file = forms.FileField(
        label="Export file",
        help_text="The XML file of Tools → Export → All content in WordPress (WXR), or of "
        "Disqus's Export comments.",
    )
    dry_run = forms.BooleanField(
        label="Dry run",
        required=False,
        help_text="Do everything, write nothing, and report what would have been done.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                f"This file is {upload.size / 1048576:,.0f} MB; from here an export may be "
                f"{MAX_UPLOAD // 1048576:,} MB at most. Larger ones: stoa import-wordpress."
            )
        head = upload.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if not head.startswith(b"<"):
            raise forms.ValidationError("This is not an XML file; a WordPress export is one.")
        return upload

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ImportKind.WXR

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            # The root element says which export it is: a wrong choice is told now, not as
            # a failed import later.
            head = upload.read(4096)
            upload.seek(0)
            is_disqus = b"<disqus" in head
            if is_disqus and cleaned.get("kind") != ImportKind.DISQUS:
                self.add_error("kind", "This file is a Disqus export: choose “Disqus export”.")
            elif not is_disqus and cleaned.get("kind") == ImportKind.DISQUS and b"<rss" in head:
                self.add_error("kind", "This file is a WordPress export, not a Disqus one.")
        return cleaned


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "file_name", "kind", "status_shown", "dry_run", "started_by"]
    list_filter = ["kind", "status", "dry_run"]
    search_fields = ["file_name"]
    change_form_template = "admin/wordpress/importrun/change_form.html"
    fields = ("kind", "file_name", "dry_run", "status", "started_by", "started_at", "finished_at")
    readonly_fields = fields

    @admin.display(description="status", ordering="status")
    def status_shown(self, run: ImportRun) -> str:
        if run.is_finished:
            return run.get_status_display()
        done, total = services.run_progress(run)
        percent = int(100 * done / total) if total else 0
        return format_html("{} ({}%)", run.get_status_display(), percent)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a report is read, never edited

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            run = services.queue_import(
                upload=upload,
                file_name=upload.name,
                kind=form.cleaned_data["kind"],
                dry_run=form.cleaned_data["dry_run"],
                user=cast(User, request.user),
            )
            return HttpResponseRedirect(reverse("admin:wordpress_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a WordPress or Disqus export",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/wordpress/importrun/upload.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        extra: dict[str, Any] = dict(extra_context or {})
        if run is not None:
            done, total = services.run_progress(run)
            extra.update(
                run=run,
                done=done,
                total=total,
                percent=run.percent if run.is_finished else int(100 * done / total) if total else 0,
                count_rows=run.count_rows(),
            )
        return super().change_view(request, object_id, form_url, extra)

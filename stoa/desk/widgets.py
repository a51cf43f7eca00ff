"""The body editor in the admin: django-prose-editor (ProseMirror through Tiptap), whose
JavaScript ships inside the Python package and is served as static files (no CDN; works
offline), with the desk's extensions (static/desk/extensions.js) and its word count and
kept-in-browser copy (static/desk/desk-editor.js).

Its toolbar offers what stoa.publishing.sanitizers.clean_post_body keeps and nothing more:
headings (h2-h4), bold, italic, bulleted and numbered lists, links, blockquotes, figures
with captions, video players from settings.STOA["EMBED_PREFIXES"], horizontal rules (and
line breaks, undo and redo)."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media, Script

from stoa.core.conf import stoa_setting

EXTENSIONS: dict[str, Any] = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Embed": True,
    "StoaPaste": True,
    "Small": True,
    "PictureLibrary": True,
    # The browser's spelling checker stays on (django-prose-editor turns it off by default).
    "NoSpellCheck": False,
}


class BodyEditor(AdminProseEditorWidget):
    """A post's or page's body, written in the desk's editor."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, preset="configurable", config={"extensions": EXTENSIONS})

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        extensions = dict(config["extensions"])
        # Read at render time: the allowlist of players is the sanitiser's own setting.
        extensions["Embed"] = {"prefixes": list(stoa_setting("EMBED_PREFIXES"))}
        # The media library's picture list (stoa.publishing.admin), searched from the editor.
        extensions["PictureLibrary"] = {"url": reverse("admin:publishing_mediaitem_library")}
        return config | {"extensions": extensions, "js_modules": [static("desk/extensions.js")]}

    @property
    def media(self) -> Media:
        return super().media + Media(
            js=[Script("desk/desk-editor.js", type="module")], css={"all": ["desk/desk.css"]}
        )

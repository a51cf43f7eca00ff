"""The admin's media with this response's CSP nonce: django-prose-editor's modules find
each other through an import map, an inline script the policy allows only by its nonce
(script-src 'self' allows no inline script otherwise). The admin adds its own media to the
form's as plain forms.Media, which keeps the import map as a script of its list but not
js_asset's nonce: the nonce is put on the import map's tag here."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

IMPORT_MAP = '<script type="importmap">'


@register.simple_tag(takes_context=True)
def media_with_nonce(context: Any, media: Any) -> SafeString:
    html = str(media)
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    if nonce is None or IMPORT_MAP not in html:
        return mark_safe(html)  # noqa: S308 - Django's own rendering of the media
    tag = f'<script type="importmap" nonce="{escape(str(nonce))}">'
    return mark_safe(html.replace(IMPORT_MAP, tag))  # noqa: S308 - as above, the nonce escaped

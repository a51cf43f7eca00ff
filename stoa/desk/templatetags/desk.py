"""The admin's media with this response's CSP nonce: django-prose-editor's modules find
each other through an import map, an inline script the policy allows only by its nonce
(script-src 'self' allows no inline script otherwise)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def media_with_nonce(context: dict[str, Any], media: Any) -> Any:
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    if hasattr(media, "with_nonce") and nonce:
        return media.with_nonce(str(nonce))
    return media

"""Template tags shared by every app: teasers and the slots that apps fill."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from stoa.core.conf import stoa_setting
from stoa.core.text import cut_at_word

register = template.Library()


@register.filter
def teaser(text: str, length: int = 40) -> str:
    """Cut text at a word boundary near `length` characters, ending with ' ...'."""
    return cut_at_word(str(text or ""), int(length))


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str) -> SafeString:
    """Render, in order, the templates that STOA[name] lists for this place on the page."""
    # This is how apps plug into pages they do not own (the sidebar, the post page) without
    # the owning app importing them: settings name the templates, each brings its own tags.
    engine = context.template.engine if context.template else None
    if engine is None:
        return mark_safe("")  # noqa: S308 - nothing rendered
    # Render with the page's own context, as {% include %} does, so that context
    # processors do not run again for every widget.
    parts = [engine.get_template(each).render(context) for each in stoa_setting(name)]
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered, autoescaped template

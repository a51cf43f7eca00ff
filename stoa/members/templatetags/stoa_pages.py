"""Django template tags that let allauth's pages (Django templates) wear the site's Jinja2
layout, so the header, navigation, footer and stylesheet come from one place."""

from __future__ import annotations

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()

PAGE_TEMPLATE = "members/allauth_page.html"


class SitePageNode(template.Node):
    """Renders its parts, then the site's page around them (a Jinja2 template)."""

    # Named so that {% block %}s inside are found and overridden by the templates that
    # extend the layout, as if they were at its top level.
    child_nodelists = ("title", "head", "body", "scripts")

    def __init__(self, title: NodeList, head: NodeList, body: NodeList, scripts: NodeList):
        self.title, self.head, self.body, self.scripts = title, head, body, scripts

    def render(self, context: Context) -> str:
        request = context.get("request")
        parts = {
            name: mark_safe(getattr(self, name).render(context).strip())  # noqa: S308 - rendered with autoescape
            for name in self.child_nodelists
        }
        page = get_template(PAGE_TEMPLATE, using="jinja2")
        return page.render({"page_title": " ".join(parts["title"].split()), **parts}, request)


@register.tag("site_page")
def site_page(parser: Parser, token: Token) -> SitePageNode:
    """{% site_page %}title{% site_head %}head{% site_body %}body{% site_scripts %}scripts
    {% endsite_page %}: the parts of a page, in the site's layout."""
    title = parser.parse(("site_head",))
    parser.delete_first_token()
    head = parser.parse(("site_body",))
    parser.delete_first_token()
    body = parser.parse(("site_scripts",))
    parser.delete_first_token()
    scripts = parser.parse(("endsite_page",))
    parser.delete_first_token()
    return SitePageNode(title, head, body, scripts)

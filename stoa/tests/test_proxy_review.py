"""A draft's review link behind a real nginx (issue 15): the micro-cache and Stoa's page cache
never keep the page, so withdrawing the link closes it on the very next request; never
indexed, its address never sent on as a Referer."""

from __future__ import annotations

import json

import pytest

from stoa.tests.proxy import ProxiedSite

pytestmark = pytest.mark.proxy

MAKE_LINK = """
import json
from stoa.desk import services
from stoa.members.models import User
from stoa.publishing.models import Category, Person
from stoa.publishing.services import create_post
admin = User.objects.get(email=%(email)r)
post = create_post(title="A draft under review", body="<p>Words to check.</p>",
    authors=[Person.objects.order_by("pk").first()],
    categories=[Category.objects.order_by("pk").first()])
link, token = services.share_for_review(post=post, by=admin)
print(json.dumps({"link": link.pk, "token": token}))
"""

REVOKE = """
from stoa.desk import services
from stoa.desk.models import ReviewLink
from stoa.members.models import User
services.revoke_review_link(link=ReviewLink.objects.get(pk=%(link)d),
    by=User.objects.get(email=%(email)r))
"""


def test_a_withdrawn_review_link_closes_at_once_behind_nginx(behind_nginx: ProxiedSite) -> None:
    site = behind_nginx
    email = site.data["admin"]["email"]
    made = json.loads(site.script(MAKE_LINK % {"email": email}).strip().splitlines()[-1])
    path = f"/review/{made['token']}/"

    for _ in range(3):  # enough for either cache to have kept it, had it been allowed to
        shown = site.get(path, source=site.new_source())
        assert shown.status == 200
        assert "Words to check." in shown.text
        assert "no-store" in (shown.header("cache-control") or "")
        assert shown.header("x-robots-tag") == "noindex, nofollow"
        assert shown.header("referrer-policy") == "no-referrer"
        assert shown.header("x-stoa-cache") is None

    site.script(REVOKE % {"link": made["link"], "email": email})

    closed = site.get(path, source=site.new_source())
    assert closed.status == 410
    assert "Words to check." not in closed.text

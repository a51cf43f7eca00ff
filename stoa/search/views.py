"""The search page and the OpenSearch description.

Results come from the index alone (stoa.search.backends): a page costs the reader's session,
the filters' look-ups, one count per kind and one query per group shown, however many
results it lists. Search pages are never kept by the page cache: an arbitrary query is
never shared (stoa.core.readers), and the page is marked `no-store` besides, because what a
member finds (members-only bodies) differs from what a visitor finds.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from stoa.core.conf import stoa_setting
from stoa.core.templating import kept
from stoa.publishing.models import Category, Person, Tag
from stoa.search.access import finds_members_bodies
from stoa.search.backends import NEWEST, RELEVANCE, Filters, Hit, backend
from stoa.search.forms import SearchForm
from stoa.search.models import GROUP_KINDS, Document, Group, Kind
from stoa.search.query import parse
from stoa.search.spelling import suggest

PER_PAGE = 10
# On the first page of "everything", each group shows its best few, with a link to more.
PREVIEW = 3
POOL = 30
# Fewer results than this and "did you mean" is worked out.
SUGGEST_BELOW = 3
# Matches counted, in each kind, no further than this: past it the page says "more than
# 1,000" (as web search engines round theirs), and results are ranked and paged among the
# COUNTED matches added last (backends.SearchBackend.search's `window`). A word in nearly
# every document (hundreds of thousands of comments) was otherwise counted and ranked
# match by match on every search, ~0.6 s of CPU on SQLite; such a word weighs almost
# nothing in BM25 (its inverse document frequency is near zero), so ranking the newest
# thousand loses little of the order, and sorting by date is what these searches want.
COUNTED = 1000


@dataclass
class Section:
    group: str
    label: str
    count: int
    hits: list[Hit]
    more_url: str
    # More than COUNTED match (`count` then says COUNTED).
    beyond: bool = False


def _link(params: dict[str, object], **changes: object) -> str:
    """The results page's address with these parameters changed (empty ones left out)."""
    merged = {**params, **changes}
    kept_params = {k: str(v) for k, v in merged.items() if v not in (None, "", 1) or k == "q"}
    return "?" + urlencode(kept_params)


@require_safe
@never_cache
def search(request: HttpRequest) -> HttpResponse:
    """/search/?q=…: results grouped (articles, series, discussion), filtered and sorted."""
    form = SearchForm(request.GET)
    text = request.GET.get("q", "")
    query = parse(text)
    context: dict[str, object] = {
        "form": form,
        "q": query.text,
        "query": query,
        "notes": list(query.notes),
        "sections": [],
        "categories": kept("search-categories", _categories) or [],
        "years": kept("search-years", _years) or [],
        "suggestion": None,
    }
    if not form.is_valid():
        return render(request, "search/results.html", context, status=400)
    data = form.cleaned_data
    context.update(group=data["type"] or "", sort=data["sort"] or RELEVANCE)
    if not text.strip():
        return render(request, "search/results.html", context)
    if query.is_empty:
        context["message"] = (
            "Your search needs at least one word to look for (letters or digits), "
            "besides any words to leave out."
        )
        return render(request, "search/results.html", context)
    filters, named = _filters(data)
    if filters is None:
        context["message"] = "Nothing matches those filters."
        return render(request, "search/results.html", context, status=404)
    context["named_filters"] = named
    members = finds_members_bodies(request.user)
    params = {
        "q": query.text,
        "type": data["type"],
        "sort": data["sort"],
        "category": data["category"],
        "tag": data["tag"],
        "author": data["author"],
        "year": data["year"],
    }
    context["params"] = params
    context["sort_links"] = {
        RELEVANCE: _link(params, sort=None, page=None),
        NEWEST: _link(params, sort=NEWEST, page=None),
    }
    # Each kind counted up to one past COUNTED: a count past it says "more than".
    counts = backend().count(query, members=members, filters=filters, limit=COUNTED + 1)
    matched = {
        group: sum(counts.get(kind, 0) for kind in kinds) for group, kinds in GROUP_KINDS.items()
    }
    # (what is shown, whether more match than that)
    group_counts = {group: (min(n, COUNTED), n > COUNTED) for group, n in matched.items()}
    beyond = any(more for _, more in group_counts.values())
    total = sum(counts.values())
    context["total"] = min(total, COUNTED)
    context["beyond"] = total > COUNTED
    order = data["sort"] or RELEVANCE
    sections: list[Section] = []
    number = data["page"] or 1
    if data["type"]:
        # One group, paged (among the COUNTED added last when more match).
        kinds = GROUP_KINDS[data["type"]]
        hits = backend().search(
            query,
            members=members,
            filters=dataclasses.replace(filters, kinds=kinds),
            order=order,
            limit=PER_PAGE,
            offset=(number - 1) * PER_PAGE,
            window=COUNTED if group_counts[data["type"]][1] else None,
        )
        found = {data["type"]: hits}
    elif beyond:
        # Everything, when a kind matches more than COUNTED: each group's best few among
        # its own COUNTED added last (a window shared by every kind would hold only the
        # most numerous kind's, comments, and show no article).
        found = {
            group: backend().search(
                query,
                members=members,
                filters=dataclasses.replace(filters, kinds=kinds),
                order=order,
                limit=PREVIEW,
                window=COUNTED if group_counts[group][1] else None,
            )
            if group_counts[group][0]
            else []
            for group, kinds in GROUP_KINDS.items()
        }
    else:
        # Everything: one search over every kind, its best POOL results shared out among
        # the groups (each shows its best few, and links to all of its own): one scan of
        # the matches rather than one per group.
        pool = backend().search(query, members=members, filters=filters, order=order, limit=POOL)
        found = {
            group: [hit for hit in pool if hit.kind in kinds][:PREVIEW]
            for group, kinds in GROUP_KINDS.items()
        }
    for group, hits in found.items():
        count, more = group_counts[group]
        if count:
            sections.append(
                Section(
                    group,
                    Group(group).label,
                    count,
                    hits,
                    _link(params, type=group, page=None),
                    beyond=more,
                )
            )
    if data["type"]:
        # The group's own results are paged (the total counts every group's); when more
        # than COUNTED match, the pages of the COUNTED ranked.
        shown = group_counts[data["type"]][0]
        pages = max(1, math.ceil(shown / PER_PAGE))
        if number > pages:
            context["message"] = f"There is no page {number} of these results."
            return render(request, "search/results.html", context, status=404)
        context["paging"] = {
            "number": number,
            "pages": pages,
            "previous": _link(params, page=number - 1) if number > 1 else "",
            "next": _link(params, page=number + 1) if number < pages else "",
        }
    context["sections"] = sections
    if total < SUGGEST_BELOW:
        corrected = suggest(query, members=members, filters=filters)
        if corrected is not None:
            context["suggestion"] = (corrected.text, _link(params, q=corrected.text, page=None))
    return render(request, "search/results.html", context)


def _categories() -> list[tuple[str, str]]:
    return list(Category.objects.order_by("name").values_list("slug", "name"))


def _years() -> list[int]:
    """The years articles were published in, newest first (for the year filter)."""
    dates = Document.objects.filter(kind=Kind.POST).exclude(year=None)
    return [
        year
        for year in dates.order_by("-year").values_list("year", flat=True).distinct()
        if year is not None
    ]


def _filters(data: dict[str, object]) -> tuple[Filters | None, list[tuple[str, str]]]:
    """The filters the address names, as ids (None: a slug that names nothing), and their
    names for the page."""
    named: list[tuple[str, str]] = []
    category_ids: tuple[int, ...] = ()
    tag_id = author_id = None
    if data["category"]:
        category = Category.objects.filter(slug=data["category"]).first()
        if category is None:
            return None, named
        category_ids = tuple(sorted(category.descendant_ids()))
        named.append(("Category", category.name))
    if data["tag"]:
        tag = Tag.objects.filter(slug=data["tag"]).only("pk", "name").first()
        if tag is None:
            return None, named
        tag_id = tag.pk
        named.append(("Tag", tag.name))
    if data["author"]:
        person = Person.objects.filter(slug=data["author"]).only("pk", "name").first()
        if person is None:
            return None, named
        author_id = person.pk
        named.append(("Author", person.name))
    year = data["year"]
    if year:
        named.append(("Year", str(year)))
    return (
        Filters(
            category_ids=category_ids,
            tag_id=tag_id,
            author_id=author_id,
            year=year if isinstance(year, int) else None,
        ),
        named,
    )


def opensearch(request: HttpRequest) -> HttpResponse:
    """The OpenSearch description browsers read to offer the site's search in their
    address bar (linked from every page's head)."""
    context = {
        "short_name": str(stoa_setting("SITE_NAME"))[:16],
        "site_name": stoa_setting("SITE_NAME"),
        "template": request.build_absolute_uri(reverse("search:search")) + "?q={searchTerms}",
        "icon": request.build_absolute_uri("/favicon.ico"),
    }
    return render(
        request,
        "search/opensearch.xml",
        context,
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )

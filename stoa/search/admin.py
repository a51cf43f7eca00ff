"""The back office's search boxes for posts and comments, answered from the index.

`search_results` is what a ModelAdmin's get_search_results can hand its search to (the
owning admin consults it by its dotted path, so publishing and discussion never import
search): the rows the index finds for the term, by relevance of title, names and text
(stemmed: "grieving" finds "grief"'s comments; the commenter's name included, so a
moderator finds a commenter's earlier remarks), together with what Django's own search
finds among the rows the index does not hold (drafts, held, spam and trashed comments).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.http import HttpRequest

from stoa.search.access import searches_back_office
from stoa.search.backends import backend
from stoa.search.query import parse
from stoa.search.sources import SOURCES

# The most rows one admin search takes from the index (the changelist pages them).
LIMIT = 2000


def search_results(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: models.QuerySet[Any],
    term: str,
) -> tuple[models.QuerySet[Any], bool] | None:
    """(rows, may have duplicates) for the term, or None: Django's own search should
    answer (no term, a model the index does not hold, a user who is not staff)."""
    source = next((one for one in SOURCES if one.model is queryset.model), None)
    query = parse(term)
    if (
        source is None
        or query.is_empty
        or not searches_back_office(request.user)
        or _names_a_private_field(term)
    ):
        return None
    found = backend().ids(query, kind=source.kind, limit=LIMIT)
    outside = queryset.exclude(pk__in=source.rows().values("pk"))
    others, duplicates = admin.ModelAdmin.get_search_results(model_admin, request, outside, term)
    return queryset.filter(Q(pk__in=found) | Q(pk__in=others.values("pk"))), duplicates


def _names_a_private_field(term: str) -> bool:
    """An email address or an IP address: the index holds neither (it serves readers too),
    so Django's own search of the admin's search_fields finds a commenter by them."""
    term = term.strip()
    if "@" in term:
        return True
    try:
        ipaddress.ip_address(term)
    except ValueError:
        return False
    return True

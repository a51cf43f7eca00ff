"""Cursor pagination (keyset): a page is the rows after the last one the client saw, in a
fixed order ending with the primary key, so pages never shift when rows are added and a
deep page costs what the first does (no OFFSET).

The cursor is the last row's ordering values, as base64url JSON: opaque to clients, and
tampering with it only moves the position (every row is still filtered by who may see it)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from stoa.api.problems import Problem

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR = r"^[A-Za-z0-9_-]*$"  # base64url without padding


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    next: str | None


def _bad_cursor() -> Problem:
    return Problem(
        400,
        "The cursor is not one this API gave: use the `next` address of the previous page.",
        kind="invalid-cursor",
        title="Not a valid cursor",
    )


def _decode(cursor: str, model: type[Model], fields: Sequence[str]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != len(fields):
        raise _bad_cursor()
    decoded = []
    for name, value in zip(fields, values, strict=True):
        plain = name.lstrip("-")
        field = model._meta.pk if plain == "pk" else model._meta.get_field(plain)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _bad_cursor()
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot compare one
            raise _bad_cursor()
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise _bad_cursor()
        try:
            decoded.append(field.to_python(value))  # type: ignore[union-attr]
        except (ValidationError, OverflowError):
            raise _bad_cursor() from None
    return decoded


def _encode(row: Model, fields: Sequence[str]) -> str:
    values = []
    for name in fields:
        value = getattr(row, name.lstrip("-"))
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _after(fields: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows after (values) in the order `fields` (each descending when it starts with -)."""
    found = Q(pk__in=[])
    for at, name in enumerate(fields):
        plain = name.lstrip("-")
        step = Q(**{f"{plain}__{'lt' if name.startswith('-') else 'gt'}": values[at]})
        for earlier, value in zip(fields[:at], values[:at], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        found |= step
    return found


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    order: Sequence[str],
    cursor: str | None,
    limit: int,
) -> Page:
    """One page of `queryset` in `order` (whose last field is the primary key)."""
    model = queryset.model
    if cursor:
        queryset = queryset.filter(_after(order, _decode(cursor, model, order)))
    rows = list(queryset.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode(rows[-1], order) if more and rows else None
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return Page(items=rows, next_cursor=next_cursor, next=next_url)

"""Revisions read for people: what each one changed, and a diff between any two that an
editor can read (words added and removed in the body's text, not HTML)."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

_BLOCK_END = re.compile(
    r"</(?:p|h[1-6]|li|blockquote|figcaption|figure|pre|tr|dt|dd)>|<br\s*/?>|<hr\s*/?>", re.I
)
_IMAGE = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"[^>]*>", re.I)
_FRAME = re.compile(r"<iframe\b[^>]*?\bsrc=\"([^\"]*)\"[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\S+\s*")


def body_lines(body: str) -> list[str]:
    """A body as the lines of text a reader sees, a picture as [Image: its alt text] and an
    embedded player as [Video: its address]."""
    text = _IMAGE.sub(lambda m: f"\n[Image: {m.group(1)}]\n", body)
    text = _FRAME.sub(lambda m: f"\n[Video: {m.group(1)}]\n", text)
    text = _TAG.sub("", _BLOCK_END.sub("\n", text))
    return [line for line in (html.unescape(part).strip() for part in text.split("\n")) if line]


def _words(old: str, new: str) -> SafeString:
    """One line changed: its words, removed ones in <del> and added ones in <ins>."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed", "changed"
    markup: SafeString


def diff_lines(old: list[str], new: list[str]) -> list[Line]:
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines += [Line("same", format_html("{}", text)) for text in old[i1:i2]]
        else:
            lines += _replaced(old[i1:i2], new[j1:j2])
    return lines


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False).ratio() >= 0.5


def _replaced(old: list[str], new: list[str]) -> list[Line]:
    """Lines replaced by others: a line and its rewrite shown word by word, in order; the
    rest removed or added whole."""
    lines: list[Line] = []
    j = 0
    for text in old:
        match = next((k for k in range(j, len(new)) if _similar(text, new[k])), None)
        if match is None:
            lines.append(Line("removed", format_html("<del>{}</del>", text)))
            continue
        lines += [Line("added", format_html("<ins>{}</ins>", t)) for t in new[j:match]]
        lines.append(Line("changed", _words(text, new[match])))
        j = match + 1
    lines += [Line("added", format_html("<ins>{}</ins>", t)) for t in new[j:]]
    return lines


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    lines: list[Line] | None = None  # the body's, line by line


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    field = model._meta.get_field(name)
    if field.many_to_many:
        related = field.related_model._default_manager.in_bulk(value or [])  # type: ignore[union-attr]
        return ", ".join(
            str(related[pk]) if pk in related else f"#{pk} (deleted)" for pk in value or []
        )
    if choices := getattr(field, "choices", None):
        return str(dict(choices).get(value, value))
    if value is None or value == "":
        return "—"
    if field.is_relation:
        target = field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(target) if target is not None else f"#{value} (deleted)"
    return str(value)


def compare(old: Version, new: Version) -> list[FieldChange]:
    """What differs between two revisions of one object, field by field."""
    model = new.content_type.model_class()
    assert model is not None  # noqa: S101 - a version of a registered model
    a, b = old.field_dict, new.field_dict
    changes = []
    for name in dict.fromkeys([*a, *b]):
        if name == "id" or a.get(name) == b.get(name):
            continue
        label = str(model._meta.get_field(name).verbose_name)
        if name == "body":
            lines = diff_lines(body_lines(a.get(name) or ""), body_lines(b.get(name) or ""))
            changes.append(FieldChange(label.capitalize(), "", "", lines))
        else:
            changes.append(
                FieldChange(
                    label.capitalize(),
                    _shown(model, name, a.get(name)),
                    _shown(model, name, b.get(name)),
                )
            )
    return changes


def summary(previous: Version | None, version: Version) -> str:
    """The fields this revision changed, in words ("Created" for the first)."""
    if previous is None:
        return "Created"
    names = [c.label.lower() for c in compare(previous, version)]
    return ("Changed " + ", ".join(names)) if names else "No change to what is tracked"


def render_lines(lines: list[Line]) -> SafeString:
    return format_html_join(
        "", '<li class="diff__{}">{}</li>', ((line.kind, line.markup) for line in lines)
    )

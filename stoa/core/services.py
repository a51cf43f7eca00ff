"""Every change of state in core: the redirect table (stoa.core.models.Redirect), written by
the admin, by publishing when a slug changes and by the WordPress importer.

Addresses are stored in one normal form so that a request finds them however it was
spelt: the path percent-decoded (as request.path has it: a Greek slug is stored in Greek),
the query's parameters sorted, no fragment (browsers never send it). The table stays one hop
long: nothing is ever redirected to an address that is itself redirected.

The table is read only by stoa.core.middleware.RedirectMiddleware, whose answers (301s)
are never kept in the page cache, so a change here needs no new content version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery

from stoa.core.models import Redirect

MAX_LENGTH = Redirect._meta.get_field("old_path").max_length or 1000
# Rows written per statement by add_redirects (Django lowers it to what the database takes).
BATCH_SIZE = 2000
# An address of this site may be written as a full URL; these schemes may be a target.
WEB_SCHEMES = ("http", "https")


def normal_query(query: str) -> str:
    """A query string in one form: parameters decoded, sorted, encoded again."""
    if not query:
        return ""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return urlencode(pairs, quote_via=quote, safe="/")


def normal_old_path(value: str) -> str:
    """The form an old address is stored and looked up in (see the module's docstring). A
    full URL gives its path and query (the old site's host is not ours to match)."""
    value = value.strip()
    if value.startswith("/") and not any(c in value for c in "%?#\\") and "//" not in value:
        return value  # the usual case, as it comes
    parts = urlsplit(value)
    if parts.scheme and parts.scheme not in WEB_SCHEMES:
        raise ValidationError({"old_path": "An old address is a path such as /2024/03/a-post/."})
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = f"/{path}"
    query = normal_query(parts.query)
    path = f"{path}?{query}" if query else path
    if len(path) > MAX_LENGTH:
        raise ValidationError({"old_path": f"An address may have {MAX_LENGTH} characters."})
    return path


def normal_new_path(value: str) -> str:
    """A target: a full http(s) address elsewhere as given, or a path of this site in the
    old addresses' form, with its fragment ("#comment-12") kept."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if parts.scheme not in WEB_SCHEMES or not parts.netloc:
            raise ValidationError(
                {"new_path": "A new address is a path of this site or an http(s) address."}
            )
        return value
    if not value.startswith("/"):
        raise ValidationError({"new_path": "A new address starts with “/” (or is a full URL)."})
    base, hash_mark, fragment = value.partition("#")
    path = normal_old_path(base) + (f"#{fragment}" if hash_mark else "")
    if len(path) > MAX_LENGTH:
        raise ValidationError({"new_path": f"An address may have {MAX_LENGTH} characters."})
    return path


def _without_fragment(path: str) -> str:
    return path.partition("#")[0]


def _check_pair(old: str, new: str) -> None:
    if _without_fragment(new) == old:
        raise ValidationError({"new_path": "An address cannot be redirected to itself."})


@transaction.atomic
def add_redirect(*, old_path: str, new_path: str, note: str = "") -> Redirect:
    """Send `old_path` to `new_path` with a 301, replacing what it was sent to before (the
    same call twice changes nothing). Kept one hop long: a target that is itself an old
    address is followed to where that one goes, unless that one leads back here (the content
    moved back: the other redirect is dropped); redirects to `old_path` are pointed at the
    new target. ValidationError for an address that cannot be one, or one sent to itself."""
    old, new = normal_old_path(old_path), normal_new_path(new_path)
    _check_pair(old, new)
    onward = Redirect.objects.filter(old_path=_without_fragment(new)).first()
    if onward is not None:
        if _without_fragment(onward.new_path) == old:
            onward.delete()
        else:
            new = onward.new_path
    redirect, created = Redirect.objects.get_or_create(
        old_path=old, defaults={"new_path": new, "note": note[:255]}
    )
    if not created and (redirect.new_path, redirect.note) != (new, note[:255]):
        redirect.new_path, redirect.note = new, note[:255]
        redirect.save(update_fields=["new_path", "note"])
    _repoint(old, new)
    return redirect


def _repoint(old: str, new: str) -> None:
    """Rows that sent readers to `old` (with or without a fragment) now send them to `new`;
    one that would now lead to itself is dropped."""
    pointing = Redirect.objects.filter(Q(new_path=old) | Q(new_path__startswith=f"{old}#"))
    for row in pointing.exclude(old_path=old):
        fragment = row.new_path[len(old) :]
        target = new if fragment == "" or "#" in new else f"{new}{fragment}"
        if _without_fragment(target) == row.old_path:
            row.delete()
        else:
            Redirect.objects.filter(pk=row.pk).update(new_path=target)


@transaction.atomic
def change_redirect(
    *, redirect: Redirect, old_path: str, new_path: str, note: str = ""
) -> Redirect:
    """Edit a redirect (the admin): its old address, target or note, with add_redirect's
    rules; a changed old address is a new row, the previous one removed."""
    old = normal_old_path(old_path)
    if old != redirect.old_path:
        if Redirect.objects.filter(old_path=old).exclude(pk=redirect.pk).exists():
            raise ValidationError({"old_path": "This old address is redirected already."})
        redirect.delete()
    return add_redirect(old_path=old, new_path=new_path, note=note)


@transaction.atomic
def remove_redirect(*, old_path: str) -> bool:
    """Stop redirecting `old_path` (content lives there again); whether one was removed."""
    deleted, _ = Redirect.objects.filter(old_path=normal_old_path(old_path)).delete()
    return bool(deleted)


def _chunks(pairs: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    iterator = iter(pairs)
    while chunk := list(islice(iterator, size)):
        yield chunk


@transaction.atomic
def add_redirects(*, pairs: Iterable[tuple[str, str]], note: str = "") -> int:
    """add_redirect for many (old, new) pairs at once (an import: hundreds of thousands),
    read as they come and written in batches of one statement each: an old address given
    again takes the last target given; a pair sent to itself is skipped; chains are made
    one hop at the end (as add_redirect, without its care for fragments). Returns how many
    pairs were written (an old address given again in a later batch counts again).
    ValidationError for a pair that cannot be one, nothing written."""
    written = 0
    note = note[:255]
    for chunk in _chunks(pairs, BATCH_SIZE):
        batch: dict[str, str] = {}
        for old_path, new_path in chunk:
            old, new = normal_old_path(old_path), normal_new_path(new_path)
            if _without_fragment(new) != old:
                batch[old] = new
        Redirect.objects.bulk_create(
            [Redirect(old_path=old, new_path=new, note=note) for old, new in batch.items()],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["old_path"],
            update_fields=["new_path", "note"],
        )
        written += len(batch)
    if written:
        _one_hop()
    return written


def _one_hop(rounds: int = 4) -> None:
    """Point every redirect whose target is an old address at that one's target, in one
    statement a round (a chain made by one import is rarely longer than two), then drop any
    that now leads to itself."""
    for _ in range(rounds):
        chained = Redirect.objects.filter(new_path__in=Redirect.objects.values("old_path"))
        onward = Redirect.objects.filter(old_path=OuterRef("new_path")).values("new_path")[:1]
        if not chained.update(new_path=Subquery(onward)):
            break
        Redirect.objects.filter(old_path=F("new_path")).delete()

"""Freshness: which rows readers can see, declared once per app, and the one path from a
change of them to a new content version (stoa.core.cache).

Each app that shows rows on shared pages has a `freshness` module with a list `SHOWN` of
`Shown` declarations: the model, which of its rows readers can see (`when`), and which of its
many-to-many fields show. `connect()` (called once from core's AppConfig.ready) turns every
save, delete and many-to-many change of a declared model into a new content version when the
row was, or now is, one readers can see. So a spam or held comment, a draft saved again, an
enrolment, a redemption start nothing: a visitor filling the comment form with spam cannot
empty the page cache. A comment approved, then marked spam does: it was shown.

Writes that send no signal (`QuerySet.update()`) say so with `mark_changed()`, naming the rows
when they know them. A bulk service (an import, a purge, a member's comments re-signed) wraps
its work in `with changed():` and starts one new version at the end instead of one per row.

Followers: what else must follow the rows readers see (the search index) follows this same
mechanism, never signals of its own: `settings.STOA["FRESHNESS_FOLLOWERS"]` names functions
`(change: Change) -> None`, each called in the writer's transaction for every change that
starts a new version here (a row saved or deleted, a many-to-many change, `mark_changed` with
its rows). A follower does its work there and then, or queues a task for after the commit.
So a row hidden from readers (a held comment, a draft saved again) reaches no follower either,
and an `update()` that names its rows reaches them as a save does.

A new version is started at once (the writer's next page must show its own change, even
inside a transaction the test suite never commits) and again when the transaction commits: a
reader who rendered between the write and the commit saw the old rows and may have kept the
result under the version started at once.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils.module_loading import import_string

from stoa.core.cache import start_new_version
from stoa.core.conf import stoa_setting

# Where an instance remembers whether readers could see it when it was loaded or last saved.
_WAS_SHOWN = "_stoa_was_shown"


@dataclass(frozen=True)
class Shown:
    """Rows of `model` appear on pages every reader may be given.

    `when(row)` says whether readers can see this row (None: every row can be seen), reading
    only `fields`: a row loaded without one of them (`.only()`) is taken as seen, so a change
    is never missed. `m2m` names many-to-many fields whose changes show on the row's pages.
    """

    model: type[models.Model]
    when: Callable[[Any], bool] | None = None
    fields: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()

    @functools.cached_property
    def _attnames(self) -> tuple[str, ...]:
        # Column attribute names ("post_id" for a foreign key "post"): what __dict__ holds.
        # Worked out once: sees() runs for every row of a declared model that is loaded.
        return tuple(
            getattr(self.model._meta.get_field(name), "attname", name) for name in self.fields
        )

    def sees(self, row: models.Model) -> bool:
        if self.when is None:
            return True
        loaded = row.__dict__
        if any(name not in loaded for name in self._attnames):
            return True
        return bool(self.when(row))


@dataclass(frozen=True)
class Change:
    """What a follower is told: rows of `model` that readers saw, or now see, changed.

    `pks` names them (empty: which rows is not known, as after a many-to-many change cleared
    from the other side; a follower catches up however it can). `instance` is the row itself
    when one row was saved or deleted; `created` says it is new, `deleted` that it is gone.
    """

    model: type[models.Model]
    pks: frozenset[Any]
    instance: models.Model | None = None
    created: bool = False
    deleted: bool = False


@functools.lru_cache(maxsize=8)
def _load_followers(paths: tuple[str, ...]) -> tuple[Callable[[Change], None], ...]:
    return tuple(import_string(path) for path in paths)


def followers() -> tuple[Callable[[Change], None], ...]:
    """The functions settings.STOA["FRESHNESS_FOLLOWERS"] names, imported once per list."""
    return _load_followers(tuple(stoa_setting("FRESHNESS_FOLLOWERS")))


def _follow(change: Change) -> None:
    for follower in followers():
        follower(change)


@dataclass
class _Batch:
    changed: bool = False


_batch: ContextVar[_Batch | None] = ContextVar("stoa_freshness_batch", default=None)


def _start_now_and_on_commit() -> None:
    start_new_version()
    transaction.on_commit(start_new_version)


def mark_changed(
    *, model: type[models.Model] | None = None, pks: Iterable[Any] | None = None
) -> None:
    """Something readers can see changed by a path that sends no signal (QuerySet.update):
    start a new content version, or note it for the end of the enclosing `changed()`.
    Naming the `model` and its changed rows' `pks` tells the followers too (a bulk import
    that names none leaves them to catch up by themselves)."""
    if model is not None and pks is not None:
        named = frozenset(pks)
        if named:
            _follow(Change(model, named))
    batch = _batch.get()
    if batch is not None:
        batch.changed = True
    else:
        _start_now_and_on_commit()


@contextlib.contextmanager
def changed() -> Iterator[None]:
    """Within this block, changes readers can see start one new content version, at the
    end, however many rows change (nested blocks leave it to the outermost). Nothing seen
    changed, nothing is started."""
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        # Even when the block failed: rows written before the failure may stay (a block
        # without a transaction), and a needless new version costs only a cache miss.
        if batch.changed:
            _start_now_and_on_commit()


# ---------------------------------------------------------------------------- receivers


def _remember(shown: Shown) -> Callable[..., None]:
    def receiver(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        instance.__dict__[_WAS_SHOWN] = shown.sees(instance)

    return receiver


def _saved(shown: Shown) -> Callable[..., None]:
    def receiver(sender: Any, instance: models.Model, created: bool, **kwargs: Any) -> None:
        # A new row was seen by nobody before; a loaded one as `_remember` noted it (a row
        # made some other way, as seen: never miss a change).
        was = False if created else instance.__dict__.get(_WAS_SHOWN, True)
        now = shown.sees(instance)
        instance.__dict__[_WAS_SHOWN] = now
        if was or now:
            mark_changed()
            _follow(Change(shown.model, frozenset((instance.pk,)), instance, created=created))

    return receiver


def _deleted(shown: Shown) -> Callable[..., None]:
    def receiver(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        if instance.__dict__.get(_WAS_SHOWN, True) or shown.sees(instance):
            mark_changed()
            _follow(Change(shown.model, frozenset((instance.pk,)), instance, deleted=True))

    return receiver


def _related(shown: Shown) -> Callable[..., None]:
    def receiver(
        sender: Any, instance: models.Model, action: str, reverse: bool, **kwargs: Any
    ) -> None:
        if not action.startswith("post_"):
            return
        # From the other side (a tag's posts changed) the rows touched are not at hand: as
        # seen, never miss a change.
        if reverse:
            mark_changed()
            _follow(Change(shown.model, frozenset(kwargs.get("pk_set") or ())))
        elif shown.sees(instance):
            mark_changed()
            _follow(Change(shown.model, frozenset((instance.pk,)), instance))

    return receiver


def declarations() -> list[Shown]:
    """Every installed app's `freshness.SHOWN`, in INSTALLED_APPS order."""
    found: list[Shown] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.freshness"
        if config.name.startswith("stoa.") and find_spec(name) is not None:
            found.extend(getattr(import_module(name), "SHOWN", []))
    return found


def _receivers(shown: Shown) -> list[tuple[Any, Callable[..., None], Any, str]]:
    """(signal, receiver, sender, dispatch_uid) for one declaration."""
    model, uid = shown.model, f"stoa-freshness-{shown.model._meta.label_lower}"
    found = [
        (post_save, _saved(shown), model, uid),
        (post_delete, _deleted(shown), model, uid),
    ]
    if shown.when is not None:
        found.append((post_init, _remember(shown), model, uid))
    for name in shown.m2m:
        found.append((m2m_changed, _related(shown), getattr(model, name).through, f"{uid}-{name}"))
    return found


def connect(shown: Iterable[Shown] | None = None) -> None:
    """Connect the receivers for these declarations (every installed app's, by default;
    called so once from core's ready())."""
    for one in declarations() if shown is None else shown:
        for signal, receiver, sender, uid in _receivers(one):
            signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)


def disconnect(shown: Iterable[Shown]) -> None:
    """Undo connect() for these declarations (tests that declare a model of their own)."""
    for one in shown:
        for signal, _, sender, uid in _receivers(one):
            signal.disconnect(sender=sender, dispatch_uid=uid)

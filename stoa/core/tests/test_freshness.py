"""The freshness mechanism (stoa.core.freshness), on a model of Django's own declared here:
a group is "seen by readers" when its name starts with "shown". Each app's own declarations
are tested in its tests/test_freshness.py."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from stoa.core import freshness
from stoa.core.freshness import Shown

pytestmark = pytest.mark.django_db

GROUPS = Shown(
    Group,
    when=lambda group: group.name.startswith("shown"),
    fields=("name",),
    m2m=("permissions",),
)


@pytest.fixture
def versions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many new content versions were started (at once; the same again on commit)."""
    started: list[int] = []
    monkeypatch.setattr(freshness, "start_new_version", lambda: started.append(1))
    freshness.connect([GROUPS])
    yield started
    freshness.disconnect([GROUPS])


def test_a_row_nobody_sees_starts_no_new_version(versions: list[int]) -> None:
    group = Group.objects.create(name="hidden")
    group.name = "hidden still"
    group.save()
    group.delete()
    assert versions == []


def test_a_row_readers_see_starts_a_new_version_when_written(versions: list[int]) -> None:
    Group.objects.create(name="shown")
    assert len(versions) == 1


def test_a_row_that_stops_being_seen_starts_a_new_version(versions: list[int]) -> None:
    group = Group.objects.create(name="shown")
    loaded = Group.objects.get(pk=group.pk)
    versions.clear()
    loaded.name = "hidden now"
    loaded.save()
    assert len(versions) == 1
    loaded.name = "hidden again"
    loaded.save()
    assert len(versions) == 1, "it was not seen before this save, and is not now"


def test_deleting_a_seen_row_starts_a_new_version(versions: list[int]) -> None:
    group = Group.objects.create(name="shown")
    versions.clear()
    Group.objects.filter(pk=group.pk).delete()
    assert len(versions) == 1


def test_a_row_loaded_without_the_fields_its_rule_reads_counts_as_seen(
    versions: list[int],
) -> None:
    group = Group.objects.create(name="hidden")
    partial = Group.objects.only("pk").get(pk=group.pk)
    partial.save(update_fields=[])  # nothing written, and no query to judge it either
    partial.delete()
    assert len(versions) == 1


def test_a_many_to_many_change_of_a_seen_row_starts_a_new_version(versions: list[int]) -> None:
    seen, unseen = Group.objects.create(name="shown"), Group.objects.create(name="hidden")
    permission = Permission.objects.first()
    assert permission is not None
    versions.clear()
    unseen.permissions.add(permission)
    assert versions == []
    seen.permissions.add(permission)
    assert len(versions) == 1
    permission.group_set.remove(unseen)  # from the other side: the rows are not at hand
    assert len(versions) == 2


def test_a_batch_starts_one_version_at_its_end_however_many_rows_change(
    versions: list[int],
) -> None:
    with freshness.changed():
        for n in range(5):
            Group.objects.create(name=f"shown {n}")
        with freshness.changed():
            freshness.mark_changed()
        assert versions == []
    assert len(versions) == 1


def test_a_batch_in_which_nothing_seen_changed_starts_nothing(versions: list[int]) -> None:
    with freshness.changed():
        Group.objects.create(name="hidden")
    assert versions == []


def test_a_failed_batch_still_starts_a_version_for_what_it_wrote(versions: list[int]) -> None:
    with pytest.raises(RuntimeError), freshness.changed():
        Group.objects.create(name="shown")
        raise RuntimeError("half-way")
    assert len(versions) == 1


def test_a_batch_is_also_a_decorator(versions: list[int]) -> None:
    @freshness.changed()
    def write_three(prefix: str) -> None:
        for n in range(3):
            Group.objects.create(name=f"shown {prefix} {n}")

    write_three("a")
    write_three("b")
    assert len(versions) == 2


def test_a_new_version_is_started_again_when_the_change_commits(
    versions: list[int], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.create(name="shown")
    assert len(versions) == 2


# What the followers were told (stoa.core.freshness.Change), by the follower below.
TOLD: list[freshness.Change] = []


def tell(change: freshness.Change) -> None:
    TOLD.append(change)


@pytest.fixture
def told(versions: list[int], settings: Any) -> Iterator[list[freshness.Change]]:
    settings.STOA = {**settings.STOA, "FRESHNESS_FOLLOWERS": [f"{__name__}.tell"]}
    TOLD.clear()
    yield TOLD
    TOLD.clear()


def test_followers_are_told_of_each_change_readers_see_and_of_nothing_else(
    told: list[freshness.Change],
) -> None:
    hidden = Group.objects.create(name="hidden")
    hidden.delete()
    assert told == [], "a row nobody sees reaches no follower, as it starts no version"
    group = Group.objects.create(name="shown")
    assert [(c.model, c.pks, c.instance, c.created) for c in told] == [
        (Group, frozenset({group.pk}), group, True)
    ]
    pk = group.pk
    group.delete()
    assert told[-1].deleted and told[-1].pks == frozenset({pk})


def test_followers_are_told_of_many_to_many_changes_from_either_side(
    told: list[freshness.Change],
) -> None:
    group = Group.objects.create(name="shown")
    permission = Permission.objects.first()
    assert permission is not None
    told.clear()
    group.permissions.add(permission)
    assert told[-1].instance == group
    permission.group_set.remove(group)
    assert (told[-1].model, told[-1].pks, told[-1].instance) == (Group, {group.pk}, None)
    permission.group_set.clear()
    assert told[-1].pks == frozenset(), "the rows are not known: the follower catches up"


def test_an_update_that_names_its_rows_reaches_the_followers_one_that_does_not_only_versions(
    told: list[freshness.Change],
) -> None:
    group = Group.objects.create(name="shown")
    told.clear()
    Group.objects.filter(pk=group.pk).update(name="shown, renamed")
    freshness.mark_changed(model=Group, pks=[group.pk])
    assert [(c.model, c.pks) for c in told] == [(Group, frozenset({group.pk}))]
    freshness.mark_changed()
    freshness.mark_changed(model=Group, pks=[])
    assert len(told) == 1


def test_each_app_declares_only_its_own_models_with_real_fields() -> None:
    declared = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("stoa.") or find_spec(f"{config.name}.freshness") is None:
            continue
        for shown in getattr(import_module(f"{config.name}.freshness"), "SHOWN", []):
            declared += 1
            assert shown.model._meta.app_config is config, shown
            for name in shown.fields:
                shown.model._meta.get_field(name)
            for name in shown.m2m:
                assert shown.model._meta.get_field(name).many_to_many
    assert declared == len(freshness.declarations()) > 0

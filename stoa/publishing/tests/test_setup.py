"""The steps `make run` takes: migrations complete, a second migrate is a no-op."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_migrations_agree() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_a_second_migrate_is_a_no_op() -> None:
    out = StringIO()
    call_command("migrate", "--noinput", stdout=out)
    assert "No migrations to apply." in out.getvalue()


def test_the_deployment_checks_pass_when_debug_is_off(settings) -> None:
    settings.DEBUG = False
    out = StringIO()
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()

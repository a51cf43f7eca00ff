import random
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

DEFAULT_SEED = 2026


def demo_modules() -> list[ModuleType]:
    """Each installed app's `demo` module, in INSTALLED_APPS order (dependencies first)."""
    found = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is not None:
            found.append(import_module(f"{config.name}.demo"))
    return found


class Command(BaseCommand):
    help = (
        "Write the demo content of every app that has a `demo` module. Deterministic for a "
        "given seed, and a no-op where the content is already there."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        modules = [module for module in demo_modules() if not module.is_loaded()]
        if not modules:
            self.stdout.write("Demo content is already loaded; nothing to do.")
            return
        # One generator for all apps, so the same seed always writes the same content.
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        # Dates count back from today's midnight so that a reload writes the same dates.
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        with transaction.atomic():
            for module in modules:
                summary = module.build(rng=rng, today=today)
                self.stdout.write(f"{module.__name__}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

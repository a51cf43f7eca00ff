"""The `stoa` console command: Django's manage.py with Stoa's settings."""

import os
import sys


def main() -> None:
    """Run a Django management command with Stoa's settings. Command names may be spelt
    with hyphens (`stoa nginx-config`): Django's are module names, with underscores."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

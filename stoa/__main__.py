"""The `stoa` console command: Django's manage.py with Stoa's settings."""

import os
import sys


def main() -> None:
    """Run a Django management command with Stoa's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

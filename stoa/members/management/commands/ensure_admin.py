from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from stoa.members.services import ensure_admin


class Command(BaseCommand):
    help = "Create the first administrator if there is none, and print its login once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        user, password = ensure_admin(username=username, email=email)
        if password is None:
            self.stdout.write(
                f"Administrator '{user.get_username()}' exists; its password was printed when "
                "it was created (reset it with: stoa changepassword "
                f"{user.get_username()})."
            )
            return
        note = Path(settings.VAR_DIR) / "admin-login.txt"
        note.write_text(f"username: {user.get_username()}\npassword: {password}\n")
        note.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator created. Log in at /admin/ as '{user.get_username()}' "
                f"with password: {password}  (also saved in {note})"
            )
        )

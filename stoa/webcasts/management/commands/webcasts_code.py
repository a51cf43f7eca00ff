from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from stoa.members.models import User
from stoa.webcasts.demo import MEMBERS, demo_code


class Command(BaseCommand):
    help = (
        "Print the demo's webcast access code and the demo members' logins (those whose "
        "password is still the demo's): for `make run` to show after loading the demo."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        code = demo_code()
        site = settings.STOA_SITE_URL.rstrip("/")
        if code is None or code.uses_left == 0 or code.series.has_ended():
            self.stdout.write("No demo access code to redeem.")
        else:
            self.stdout.write(
                f"Webcast access code for “{code.series.title}”: {code.display_code} "
                f"({code.uses_left} uses left; redeem at {site}{reverse('webcasts:redeem')})"
            )
        for member in MEMBERS:
            user = User.objects.filter(email__iexact=member.email).first()
            if user is not None and user.check_password(member.password):
                self.stdout.write(f"Demo member {member.email} / {member.password}: {member.about}")

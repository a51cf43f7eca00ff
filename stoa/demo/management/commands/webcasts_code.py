"""`stoa webcasts_code`: what `make run` shows after loading the demo, to try the webcasts."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from stoa.demo.loader import DemoDataError
from stoa.demo.webcasts import demo_code, members
from stoa.members.models import User


class Command(BaseCommand):
    help = (
        "Print the demo's webcast access code and the demo members' logins (those whose "
        "password is still the demo's): for `make run` to show after loading the demo."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cast, code = members(), demo_code()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        site = settings.STOA_SITE_URL.rstrip("/")
        if code is None or code.uses_left == 0 or code.series.has_ended():
            self.stdout.write("No demo access code to redeem.")
        else:
            self.stdout.write(
                f"Webcast access code for “{code.series.title}”: {code.display_code} "
                f"({code.uses_left} uses left; redeem at {site}{reverse('webcasts:redeem')})"
            )
        for member in cast.members:
            user = User.objects.filter(email__iexact=member.email).first()
            if user is not None and user.check_password(member.password):
                self.stdout.write(f"Demo member {member.email} / {member.password}: {member.about}")

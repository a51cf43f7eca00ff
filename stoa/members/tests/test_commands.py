from io import StringIO

import pytest
from django.core.management import call_command

from stoa.members.models import User


@pytest.mark.django_db
def test_ensure_admin_creates_one_administrator_and_prints_its_login_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = StringIO(), StringIO()

    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)

    admin = User.objects.get()
    assert admin.is_superuser and admin.is_staff
    password = first.getvalue().split("with password: ")[1].split()[0]
    assert admin.check_password(password)
    assert password in (tmp_path / "admin-login.txt").read_text()
    assert password not in second.getvalue()
    assert "exists" in second.getvalue()

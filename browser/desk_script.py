"""The Django side of the desk's browser tests (browser/test_desk.py), run in a process of
the site's own with its environment, as browser/site_script.py is:

    python browser/desk_script.py people    # an Author and an Editor account; prints JSON
    python browser/desk_script.py picture   # a picture in the media library; prints JSON
    python browser/desk_script.py post ID   # a post's status, body and revisions; prints JSON
    python browser/desk_script.py clean FILE  # each body of a JSON list through clean_post_body
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stoa.settings")


def people() -> dict[str, Any]:
    from stoa.members.models import User
    from stoa.members.roles import Role, assign_role
    from stoa.publishing import services

    password = os.environ["STOA_BROWSER_PASSWORD"]
    made = {}
    for role, name in ((Role.AUTHOR, "Ada Desk"), (Role.EDITOR, "Eda Desk")):
        username = f"desk-{role.value.lower()}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.com",
                password=password,
                first_name=name.split()[0],
                last_name=name.split()[1],
                is_staff=True,
            )
            assign_role(user=user, role=role)
            services.create_person(name=name, user=user)
        made[role.value.lower()] = username
    from stoa.publishing.models import Category

    made["category"] = Category.objects.order_by("name").values_list("name", flat=True)[0]
    return made


def picture() -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from PIL import Image

    from stoa.publishing import services

    data = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 90, 140)).save(data, "JPEG")
    item = services.create_media_item(
        title="Quiet consulting room",
        file=ContentFile(data.getvalue(), name="quiet-room.jpg"),
        file_name="quiet-room.jpg",
        alt_text="Two armchairs facing each other by a window",
        caption="The consulting room",
        credit="Photo: Desk Tests",
    )
    return {"id": item.pk, "title": item.title, "alt": item.alt_text}


def post(pk: int) -> dict[str, Any]:
    from reversion.models import Version

    from stoa.publishing.models import Post

    found = Post.objects.get(pk=pk)
    versions = Version.objects.get_for_object(found).select_related("revision__user")
    return {
        "status": found.status,
        "title": found.title,
        "body": found.body,
        "path": found.get_absolute_url(),
        "revisions": [
            {"id": v.pk, "user": str(v.revision.user or ""), "comment": v.revision.comment}
            for v in versions.order_by("pk")
        ],
    }


def clean(path: str) -> dict[str, Any]:
    from stoa.publishing.sanitizers import clean_post_body

    bodies = json.loads(Path(path).read_text())
    return {"cleaned": [clean_post_body(body) for body in bodies]}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[:1] == ["people"]:
        result = people()
    elif argv[:1] == ["picture"]:
        result = picture()
    elif argv[:1] == ["clean"] and len(argv) == 2:
        result = clean(argv[1])
    elif argv[:1] == ["post"] and len(argv) == 2:
        result = post(int(argv[1]))
    else:
        sys.stderr.write(__doc__ or "")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Where webcast files live: series artwork in the default storage (served at /media/);
session recordings and every clip file (video, captions, poster) in the *protected* storage
(settings.STORAGES["protected"]), which nothing serves but the views that check access.

A clip is public while its article is, but an article can become members-only at any time:
kept out of /media/ from the start, its files never need to move, and the view decides on
each request who gets them and whether shared caches may keep them (access.is_clip_public)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models import Model
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from stoa.webcasts.validators import EXTENSIONS, sniff

PROTECTED = "protected"


def protected_storage() -> Storage:
    """The storage configured as STORAGES["protected"], read at call time; without one, a
    directory beside MEDIA_ROOT (never inside it: /media/ is served to anyone)."""
    if PROTECTED in settings.STORAGES:
        return storages[PROTECTED]
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT).parent / "protected", base_url=None)


@deconstructible
class ProtectedStorage(Storage):
    """A field's storage that forwards every call to protected_storage(), so that the
    settings in force (tests change them) decide where files go, not those at import."""

    @property
    def backend(self) -> Storage:
        return protected_storage()

    def open(self, name: str, mode: str = "rb") -> Any:
        return self.backend.open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self.backend.save(name, content, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.backend.get_valid_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self.backend.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend.generate_filename(filename)

    def path(self, name: str) -> str:
        return self.backend.path(name)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend.listdir(path)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Protected files have no public address; serve them by view.")

    def get_accessed_time(self, name: str) -> dt.datetime:
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name: str) -> dt.datetime:
        return self.backend.get_created_time(name)

    def get_modified_time(self, name: str) -> dt.datetime:
        return self.backend.get_modified_time(name)


@deconstructible
class UploadPath:
    """upload_to for webcast files: `<prefix>/<year>/<random>.<ext>`, the extension from
    what the file *is* (its first bytes), not from the name it was uploaded under."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, instance: Model, filename: str) -> str:
        extension = PurePosixPath(filename).suffix.lower()[:6]
        for field in instance._meta.get_fields():
            value = getattr(instance, field.name, None) if hasattr(field, "upload_to") else None
            if value and getattr(value, "name", None) == filename and not value._committed:
                kind = sniff(_head(value.file))
                extension = EXTENSIONS.get(kind, extension) if kind else extension
                break
        year = timezone.now().year
        return f"{self.prefix}/{year}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadPath) and other.prefix == self.prefix


def _head(file: IO[bytes], size: int = 64) -> bytes:
    position = file.tell()
    try:
        file.seek(0)
        return file.read(size)
    finally:
        file.seek(position)

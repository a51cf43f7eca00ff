"""SECRET_KEY: made up once on a laptop, never in production (stoa.settings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh process, as `gunicorn stoa.wsgi` would."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "STOA_HTTPS"}}
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "stoa.settings",
            "STOA_VAR_DIR": str(tmp_path),
            **env,
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start_saying_why(tmp_path: Path) -> None:
    done = start(tmp_path)  # DEBUG off, STOA_HTTPS on by default
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert not (tmp_path / "secret_key").exists()


def test_a_laptop_gets_a_key_made_once_and_kept(tmp_path: Path) -> None:
    first = start(tmp_path, STOA_HTTPS="0")
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert start(tmp_path, STOA_HTTPS="0").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_with_a_secret_key_starts_with_it(tmp_path: Path) -> None:
    key = "a-real-key-from-the-environment-" + "0123456789" * 3
    done = start(tmp_path, SECRET_KEY=key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == key

"""The committed OpenAPI schema is the API's: any change to the API changes the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from stoa.api import schema


def test_the_committed_schema_is_the_live_one() -> None:
    committed = schema.COMMITTED.read_text(encoding="utf-8")
    assert committed == schema.live(), (
        f"The API changed but {schema.COMMITTED.name} did not: run `{schema.REFRESH}` and "
        "commit the file with the change."
    )


@pytest.mark.django_db
def test_the_schema_is_served_and_describes_problems_and_tokens() -> None:
    served = Client().get("/api/v1/openapi.json").json()
    assert served == json.loads(schema.live())
    assert served["components"]["securitySchemes"]["StoaAuth"]["scheme"] == "bearer"
    post = served["paths"]["/api/v1/posts/{post_id}/comments"]["post"]
    assert {"201", "400", "403", "409", "429"} <= set(post["responses"])
    assert not any(
        "email" in name for name in served["components"]["schemas"]["Written"]["properties"]
    )


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    call_command("api_schema", output=target, stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert target.read_text(encoding="utf-8") == schema.live()

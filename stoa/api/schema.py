"""The API's OpenAPI schema as committed (stoa/api/openapi.json): written by
`stoa api-schema`, compared with the live one by a test, so that a change to the API is a
change to the committed file that a reviewer sees."""

from __future__ import annotations

import json
from pathlib import Path

COMMITTED = Path(__file__).with_name("openapi.json")
REFRESH = ".venv/bin/stoa api-schema"


def live() -> str:
    """The schema the running code describes, as the committed file spells it."""
    from stoa.api.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

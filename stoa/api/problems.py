"""Every error the API answers, as RFC 9457 problem details (application/problem+json).

`type` is a tag URI (RFC 4151) naming the kind of problem, not an address to fetch (RFC 9457
§3.1.1 allows a non-resolvable identifier; consumers must not dereference it), or
`about:blank` when the HTTP status says it all (§4.2.1: the title is then the status's
phrase). `title` is the same for every problem of a type; `detail` says what happened this
time; extension members carry what a client needs to act (the refused text, the fields at
fault, the rule that refused a comment)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:stoa.invalid,2026:problem/"


class Problem(Exception):
    """An answer that is an error: raise it anywhere under the API."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        kind: str = "",
        title: str = "",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def as_dict(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"{TYPE_PREFIX}{self.kind}" if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


def response(problem: Problem, instance: str = "") -> HttpResponse:
    """The problem as an HTTP answer."""
    answer = HttpResponse(
        json.dumps(problem.as_dict(instance), cls=DjangoJSONEncoder),
        status=problem.status,
        content_type=CONTENT_TYPE,
    )
    for name, value in problem.headers.items():
        answer[name] = value
    return answer


def not_found(what: str) -> Problem:
    return Problem(404, f"No such {what}.", kind="not-found", title="Not found")


def validation(errors: dict[str, list[str]], detail: str = "", **extensions: Any) -> Problem:
    """400 for input that was understood but is not acceptable, with each field's messages."""
    first = next((messages[0] for messages in errors.values() if messages), "")
    return Problem(
        400,
        detail or first or "The request was not valid.",
        kind="invalid",
        title="The request was not valid",
        errors=errors,
        **extensions,
    )

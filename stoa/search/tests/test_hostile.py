"""Whatever a reader types, the search answers with results or a clear message, never a
500: the query languages' own syntax, unbalanced quotes, lone operators, huge strings,
control characters and NUL, emoji, right-to-left text. On both backends (the suite runs on
SQLite and on PostgreSQL), by examples and by Hypothesis's random strings."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stoa.publishing.tests.factories import PostFactory
from stoa.search.backends import Filters, backend
from stoa.search.query import MAX_LENGTH, parse

pytestmark = pytest.mark.django_db

HOSTILE = [
    "NEAR(grief anniversary, 2)",
    "NEAR(",
    "*",
    "grief*",
    "^grief",
    "title:grief",
    "{title body}: grief",
    '"unbalanced quote',
    'grief"',
    '""',
    '"-"',
    "- -- ---",
    "OR",
    "OR OR OR",
    "AND NOT grief",
    "grief & !fees | (money <-> loss)",
    "grief:* & fees:A",
    "'; DROP TABLE search_document; --",
    "\x00grief\x00",
    "grief\x01\x02\x1b[31m",
    "😀",
    "grief 😀 fees",
    "حزن وذكرى",
    "\u202egrief\u202c",
    "\ufffd",
    "a" * 10_000,
    "grief " * 2_000,
    "()" * 500,
    "%",
    "_",
    "\\",
    "null",
]


@pytest.fixture
def corpus() -> None:
    PostFactory(title="Grief and anniversaries", body="<p>Fees, money and loss.</p>")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_answer_a_page_never_an_error(
    client: Client, corpus: None, text: str
) -> None:
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    assert b'id="search-q"' in response.content


def test_a_query_made_only_of_syntax_says_what_is_missing(client: Client) -> None:
    html = client.get("/search/", {"q": "* ( ) ^ -grief"}).content.decode()
    assert "needs at least one word" in html


def test_a_long_query_is_cut_and_the_reader_told(client: Client, corpus: None) -> None:
    html = client.get("/search/", {"q": "grief " + "x" * 10_000}).content.decode()
    assert f"Only the first {MAX_LENGTH} characters" in html


def test_syntax_characters_separate_words_and_are_never_operators(corpus: None) -> None:
    assert parse("grief*").words == ["grief"]
    assert parse("NEAR(grief, fees)").words == ["NEAR", "grief", "fees"]
    assert parse("{title body}:grief").words == ["title", "body", "grief"]

    def titles(text: str) -> list[str]:
        return [
            hit.title for hit in backend().search(parse(text), members=False, filters=Filters())
        ]

    assert titles("grief*") == ["Grief and anniversaries"]
    assert titles("fees^2") == []  # "2" is a word to find, not a boost
    assert titles("NEAR(grief fees)") == []  # "NEAR" is a word to find too


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=300))
def test_any_string_is_answered_by_both_audiences(corpus: None, text: str) -> None:
    query = parse(text)
    for members in (False, True):
        backend().count(query, members=members, filters=Filters())
        backend().search(query, members=members, filters=Filters(), limit=3)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(
        alphabet=st.sampled_from(list('grief fees "-*():^{}ORNEAR\x00\u202e😀')), max_size=60
    )
)
def test_query_syntax_soup_never_fails(client: Client, corpus: None, text: str) -> None:
    assert client.get("/search/", {"q": text}).status_code == 200

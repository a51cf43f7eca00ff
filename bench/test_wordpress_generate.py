"""The synthetic WordPress export of bench/wordpress_generate.py: a small one is well-formed
WXR 1.2 holding exactly what was asked, threaded as WordPress threads, and the same seed
writes the same file."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

GENERATE = Path(__file__).resolve().parent / "wordpress_generate.py"
WP = "{http://wordpress.org/export/1.2/}"


def expect(condition: bool) -> None:
    """An assert that survives `python -O` (bench/ is linted like the app code)."""
    if not condition:
        pytest.fail("expectation failed", pytrace=True)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_wordpress_generate", GENERATE)
    if spec is None or spec.loader is None:
        pytest.fail(f"{GENERATE} cannot be loaded", pytrace=False)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def written(posts: int, comments: int, seed: int = 7) -> tuple[str, Any]:
    out = io.StringIO()
    counts = load_generator().generate(out, posts=posts, comments=comments, seed=seed)
    return out.getvalue(), counts


def test_a_small_export_is_well_formed_wxr_with_what_was_asked() -> None:
    text, counts = written(posts=60, comments=900)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(text.encode(), parser)
    channel = root.find("channel")
    expect(root.tag == "rss" and channel is not None)
    expect(channel.findtext(f"{WP}wxr_version") == "1.2")
    expect(channel.findtext(f"{WP}base_site_url") == "https://magazine.example")

    items = channel.findall("item")
    kinds = [item.findtext(f"{WP}post_type") for item in items]
    expect(kinds.count("post") == 60 == counts.posts)
    expect(kinds.count("attachment") == counts.attachments > 0)
    expect(kinds.count("page") == counts.pages)
    expect(len(channel.findall(f"{WP}author")) == counts.authors)
    expect(len(channel.findall(f"{WP}category")) == counts.categories)

    comments = root.iter(f"{WP}comment")
    ids: set[str] = set()
    approved: set[str] = set()
    seen = 0
    for item in items:
        on_item: set[str] = set()
        for comment in item.findall(f"{WP}comment"):
            seen += 1
            cid = comment.findtext(f"{WP}comment_id") or ""
            parent = comment.findtext(f"{WP}comment_parent")
            # A reply answers an earlier approved comment on the same post.
            expect(parent == "0" or parent in on_item)
            expect(cid not in ids)
            ids.add(cid)
            if comment.findtext(f"{WP}comment_approved") == "1":
                on_item.add(cid)
                approved.add(cid)
    expect(seen == 900 == len(list(comments)))
    statuses = {c.findtext(f"{WP}comment_approved") for c in root.iter(f"{WP}comment")}
    expect(statuses == {"1", "0", "trash"})
    types = {c.findtext(f"{WP}comment_type") for c in root.iter(f"{WP}comment")}
    expect(types == {"comment", "pingback", "trackback"})
    expect(3 <= counts.max_depth <= 5)


def test_the_same_seed_writes_the_same_file_and_another_does_not() -> None:
    first, _ = written(posts=20, comments=200, seed=3)
    again, _ = written(posts=20, comments=200, seed=3)
    other, _ = written(posts=20, comments=200, seed=4)
    expect(first == again)
    expect(first != other)


def test_a_cdata_end_in_text_is_split_across_two_sections() -> None:
    generator = load_generator()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    wrapped = f"<t>{generator.cdata('a ]]> b ]]>')}</t>"
    expect(etree.fromstring(wrapped.encode(), parser).text == "a ]]> b ]]>")

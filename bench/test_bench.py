"""Smoke test of the benchmark: `bench/run.py --quick` runs end to end against a throwaway
database and server, and its table has every row, with numbers, and no failed comment.

A plain subprocess test: it uses no test database (run.py makes its own in a temp dir).
About 30-60 s on two cores; deselect with `-m "not bench"`. And a quick check that the nginx
configuration the bench reads out of docs/deploy.md is there and valid (`nginx -t`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from smoke import expect, run_script, table_of

from stoa import nginx

RUN = Path(__file__).resolve().parent / "run.py"
ROWS = [
    "home page (rendered)",
    "home page (cached)",
    "post, 200 comments (rendered)",
    "post, 200 comments (cached, gunicorn alone)",
    "post, 200 comments (cached, 100 spam POSTs/s)",
    "post, 1,000 comments (rendered)",
    "category archive (rendered)",
    "category archive, page 50 or its last (rendered)",
    "month archive deep in the past (rendered)",
    "RSS feed (rendered)",
    "comments feed (rendered)",
    "sitemap index (cached)",
    "sitemap of posts (cached)",
    "sitemap of posts (rendered)",
    "home page (member)",
    "category archive, page 50 or its last (member)",
    "account page (member)",
    "static copy of post-200 (ceiling)",
    "comment POST, 20 writers",
]
# The second table: one client, one request after another (p50, p95).
SEQUENTIAL_ROWS = [
    "comment POST, one writer, sequential",
    "admin: comment queue (held and approved)",
    "admin: comment queue, held",
    "admin: comment queue, everything",
    "admin: post list",
]
# Measured only where nginx is installed.
NGINX_ROWS = ["post, 200 comments (nginx micro-cache)", "static copy of post-200 via nginx"]
NUMBER = re.compile(r"^\d[\d,]*(\.\d+)?$")
DURATION = re.compile(r"^\d+(\.\d+)? (ms|s)$")
QUERIES = re.compile(r"^\d+ \(cold \d+\)$")

needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="wrk (the HTTP load generator) is not on PATH: apt-get install wrk",
)


def load_run_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    if spec is None or spec.loader is None:
        raise ImportError(RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_the_deploy_docs_nginx_blocks_make_a_valid_configuration(tmp_path: Path) -> None:
    """The bench measures docs/deploy.md's nginx configuration: its marked blocks are there,
    and (where nginx is installed) the configuration made of them passes `nginx -t`."""
    run = load_run_module()
    blocks = run.deploy_blocks(run.DEPLOY_DOC.read_text())
    expect(set(blocks) >= {"http", "bypass", "proxy"}, f"marked blocks found: {sorted(blocks)}")
    for directive in ("proxy_cache_lock on;", "proxy_cache_use_stale updating"):
        expect(directive in blocks["proxy"], f"no “{directive}” in the proxy block")
    (tmp_path / "static").mkdir()
    config = run.nginx_config(blocks, tmp_path, 8081, 8082)
    expect(re.search(r"server 127\.0\.0\.1:8082[ ;]", config) is not None, config)
    expect(f"proxy_cache_path {tmp_path / 'nginx' / 'cache'} " in config, config)
    if program := nginx.executable():
        try:
            nginx.Nginx(program, tmp_path / "nginx", config, 8081).check()
        except nginx.NginxError as error:
            pytest.fail(f"{error}\n{config}", pytrace=False)


@pytest.mark.bench
@needs_wrk
def test_quick_run_measures_every_target(tmp_path: Path) -> None:
    # Its own SQLite database and cache, whatever the environment of the test run says.
    output = tmp_path / "results.md"
    done = run_script(RUN, "--quick", "--output", str(output))
    expect(output.exists(), f"no {output} written\n{done.stdout}")
    text = table_of(done, output)

    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] not in {"target", "---"}:
            rows[cells[0]] = cells
    labels = ROWS + (NGINX_ROWS if nginx.executable() else [])
    if not nginx.executable():
        expect("nginx: not measured" in text, f"no word on the nginx rows\n{text}")
    for label in labels:
        found = [cells for name, cells in rows.items() if name.startswith(label)]
        expect(len(found) == 1, f"no row “{label}” in the table\n{text}")
        _, rps, p50, p99, queries, size, ratio = found[0]
        for value in (rps, size, ratio):
            expect(bool(NUMBER.match(value)), f"“{value}” is not a number in “{label}”\n{text}")
        for value in (p50, p99):
            expect(bool(DURATION.match(value)), f"“{value}” is not a time in “{label}”\n{text}")
        expect(bool(QUERIES.match(queries)), f"“{queries}” is no query count in “{label}”")
        expect(number(rps) > 0, f"no request completed for “{label}”\n{text}")
        if not label.startswith("comment POST"):
            expect(number(size) > 0, f"“{label}” answered an empty page\n{text}")

    spam = re.search(
        r"Spam: (\d+) guest comment POSTs .*?statuses: ([^)]*)\).*?X-Stoa-Cache: ([^)]*)\); "
        r"content version before and after: (\w+)",
        text,
        re.DOTALL,
    )
    if spam is None:
        pytest.fail(f"no spam summary\n{text}", pytrace=False)
    expect(int(spam.group(1)) > 0, f"no spam was sent\n{text}")
    expect(spam.group(2).startswith("400: "), f"spam was not refused (400)\n{text}")
    expect(bool(re.fullmatch(r"hit: \d+", spam.group(3))), f"a read under spam missed\n{text}")
    expect(spam.group(4) == "unchanged", f"spam started a new content version\n{text}")

    sequential = {}
    for line in text.split("## Small and large")[0].splitlines():  # this run's own tables
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] not in {"one client, one request after another", "---"}:
            sequential[cells[0]] = cells
    for label in SEQUENTIAL_ROWS:
        found = [cells for name, cells in sequential.items() if name.startswith(label)]
        expect(len(found) == 1, f"no row “{label}” in the sequential table\n{text}")
        _, p50, p95, answered, queries, _ = found[0]
        for value in (p50, p95):
            expect(bool(DURATION.match(value)), f"“{value}” is not a time in “{label}”\n{text}")
        done_, asked = answered.split("/")
        expect(done_ == asked and int(asked) > 0, f"“{label}”: {answered} answered\n{text}")
        expect(bool(QUERIES.match(queries)), f"“{queries}” is no query count in “{label}”")
    expect("Recent-comments widget, drawn cold" in text, f"no widget line\n{text}")
    expect(
        bool(re.search(r"resident memory at the end of the run: \d+\.\d MB", text)),
        f"no worker memory\n{text}",
    )
    # With no large run beside it, the table of both sizes says how to make one.
    expect("## Small and large" in text and "make bench SCALE=large" in text, text)
    record = json.loads(output.with_suffix(".json").read_text())
    expect(record["scale"] == "small" and record["sequential"], f"{record}")

    posting = re.search(r"Comment posting: (\d+) comments accepted .*?; errors: (\d+)", text)
    if posting is None:
        pytest.fail(f"no comment-posting summary\n{text}", pytrace=False)
    expect(int(posting.group(1)) > 0, f"no comment was accepted\n{text}")
    expect(int(posting.group(2)) == 0, f"comment posting had errors\n{text}\n{done.stderr}")


def test_the_results_show_the_small_and_the_large_site_side_by_side() -> None:
    run = load_run_module()

    def record(scale: str, factor: float) -> dict:
        return {
            "scale": scale,
            "date": "2026-12-06 12:00 UTC",
            "commit": "abc1234",
            "machine": "2 CPUs",
            "comments": 1_000 if scale == "small" else 400_000,
            "rows": {
                "home page (rendered)": {"path": "/", "rps": 100.0 / factor, "p50_ms": 10 * factor},
                "post, 2,000 comments, first page (rendered)": {
                    "path": "/p/",
                    "rps": 50.0,
                    "p50_ms": 20.0,
                },
            },
            "sequential": {
                "comment POST, one writer, sequential": {
                    "path": "/c/",
                    "p50_ms": 8 * factor,
                    "p95_ms": 9 * factor,
                }
            },
            "widget": {"ms": 0.5 * factor, "queries": 1},
            "memory_mb": 100.0 * factor,
        }

    small, large = record("small", 1.0), record("large", 1.1)
    del small["rows"]["post, 2,000 comments, first page (rendered)"]  # the large site's only
    for this, other in ((small, large), (large, small)):
        text = run.side_by_side(this, other)
        lines = text.splitlines()
        expected = [
            "| home page (rendered) | 100.0 | 90.9 | 10.0 ms | 11.0 ms | 1.10 |",
            # A row only the large site has is shown with dashes for the small.
            "| post, 2,000 comments, first page (rendered) | — | 50.0 | — | 20.0 ms | — |",
            "| comment POST, one writer, sequential | 8.00 ms | 8.80 ms | 9.00 ms | 9.90 ms "
            "| 1.10 |",
        ]
        for line in expected:
            expect(line in lines, f"no “{line}”\n{text}")
        expect("1,000 comments" in text and "400,000 comments" in text, text)
    expect("No large run" in run.side_by_side(small, None), "no word on the missing run")


@pytest.mark.bench
def test_the_large_site_is_built_once_and_then_reused(tmp_path: Path, monkeypatch) -> None:
    """bench/large.py at a small size: the export generated and imported, the extras made
    (members, the 2,000-comment post, the bench's own), the database kept under its key; a
    second build reuses it."""
    spec = importlib.util.spec_from_file_location("bench_large", RUN.parent / "large.py")
    if spec is None or spec.loader is None:
        raise ImportError("bench/large.py")
    large = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = large
    spec.loader.exec_module(large)
    monkeypatch.setattr(large, "HOME", tmp_path)
    for key in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    site = large.Site(posts=60, comments=600, members=20)

    directory = large.build(site)

    expect(directory == tmp_path / site.key, f"built in {directory}, not under its key")
    expect(site.key.startswith("g"), f"the key {site.key} does not name the generator")
    expect(site.ready and (directory / large.DATABASE).exists(), "no database kept")
    expect(not (directory / "site.wordpress.xml").exists(), "the imported export was kept")
    made = json.loads((directory / large.SUMMARY).read_text())
    expect(made["large"]["members"] == 21, f"members: {made['large']}")  # 20 and the bench's
    expect(made["large"]["member comments"] > 0, f"no member commented: {made['large']}")
    expect(
        made["paths"]["post2000"].endswith("/bench-a-post-with-2000-comments/"),
        f"no 2,000-comment post: {made['paths']}",
    )
    before = (directory / large.DATABASE).stat().st_mtime_ns
    expect(large.build(site) == directory, "a second build went elsewhere")
    expect(
        (directory / large.DATABASE).stat().st_mtime_ns == before,
        "a second build wrote the kept database again",
    )

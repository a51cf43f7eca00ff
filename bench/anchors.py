"""Stoa beside WordPress 6.1 and Isso in one run (issue 12: budgets are ratios measured in
the same run on the same machine).

    .venv/bin/python bench/anchors.py                 # 3 runs of 10 s per target
    .venv/bin/python bench/anchors.py --runs 1 --duration 5
    .venv/bin/python bench/anchors.py --scale large   # Stoa on the large site (bench/large.py)

The anchors are ../shared/bench-anchors/ (its README): WordPress with a 200-comment post on
:8081 and its static copy behind nginx on :8083, Isso on :8082 and :8084, brought up by its
setup scripts (as root, once; this script starts them if they are set up but stopped). Stoa is
served as `make bench` serves it (bench/run.py: gunicorn.conf.py, production settings on plain
http, the demo plus the bench's 200-comment post, or with --scale large the large site of
bench/large.py; SQLite in a temp dir), and measure.sh runs
wrk round-robin across every target, then the sequential comment POSTs of each. Stoa's
targets: the 200-comment post and the home page, each from the page cache and rendered
(`?r=1`, a query the page cache does not keep: drawn by Django every time, from the kept
pieces, as for a member), and a guest's comment POST. Prints measure.sh's summary (a
Markdown table) with the ratios to WordPress.

Then the listing pages as a member sees them (issue 12: each at least 6x WordPress's home in
the same run, and no slower than the rendered 200-comment post): the bench's member signed
in (their session cookie: their name in the header, their own pieces), beside WordPress's
home and Stoa's rendered 200-comment post, with wrk as measure.sh runs it (-t2 -c16, a
3 s warm-up before each run, the targets in turn, the median of the runs). measure.sh sends
no cookie, so this part runs wrk itself. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ANCHORS = BENCH.parent.parent / "shared" / "bench-anchors"
sys.path.insert(0, str(BENCH))

import run  # type: ignore[import-not-found]  # noqa: E402 - bench/ is not a package


def log(message: str) -> None:
    print(f"anchors: {message}", file=sys.stderr, flush=True)


def anchors_up() -> None:
    """Start the anchors if they are set up; say how to set them up if not."""
    for script in ("setup-wordpress.sh", "setup-isso.sh"):
        done = subprocess.run(
            ["bash", str(ANCHORS / script), "status"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if "running" not in done.stdout.lower() or done.returncode != 0:
            log(f"{script}: not running; starting it")
            subprocess.run(["bash", str(ANCHORS / script), "start"], check=True, timeout=600)


def stoa_targets(base: str, paths: dict[str, str], post_id: int) -> list[str]:
    post, home = paths["post200"], paths["home"]
    return [
        "--target",
        f"stoa-post={base}{post}",
        "--target",
        f"stoa-post-rendered={base}{post}?r=1",
        "--target",
        f"stoa-home={base}{home}",
        "--target",
        f"stoa-home-rendered={base}{home}?r=1",
        "--post-stoa",
        f"stoa-comment={base}/comments/post/{post_id}/",
    ]


def ratios(summary: dict[str, Any]) -> str:
    """Each Stoa row divided by the WordPress row it stands for, in this run."""
    gets: dict[str, Any] = summary.get("get", {})

    def rps(name: str) -> float | None:
        value = (gets.get(name) or {}).get("rps_median")
        return float(value) if value else None

    wordpress = {"post": "wp-post", "home": "wp-home"}  # measure.sh's names
    lines = [
        "| Stoa target | requests/s | WordPress target | requests/s | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for name in ("stoa-post", "stoa-post-rendered", "stoa-home", "stoa-home-rendered"):
        anchor = wordpress["post" if "post" in name else "home"]
        mine, theirs = rps(name), rps(anchor) if anchor else None
        if mine is None or theirs is None:
            continue
        lines.append(f"| {name} | {mine:,.1f} | {anchor} | {theirs:,.1f} | {mine / theirs:.1f}× |")
    return "\n".join(lines)


WORDPRESS_HOME = "http://127.0.0.1:8081/"  # measure.sh's wp-home
# The listing pages issue 12 names, by their key in the data step's paths.
MEMBER_PAGES = {
    "home": "home page",
    "category_deep": "category archive, page 50 or its last",
    "tag": "tag archive",
    "author": "author archive",
    "month": "month archive deep in the past",
    "series": "a webcast series",
    "account": "account page",
    "feed": "RSS feed",
    "comments_feed": "comments feed",
}
MEMBER_BUDGET = 6.0  # times WordPress's home, in the same run
WARM_UP = 3  # seconds, measure.sh's -w


def member_pages(base: str, paths: dict[str, str], session: str, runs: int, seconds: int) -> str:
    """The member's listing pages beside WordPress's home and the rendered 200-comment
    post, in turns; a Markdown table of medians and ratios."""
    member = {"Cookie": f"sessionid={session}"}
    targets = [("WordPress home", WORDPRESS_HOME, {})]
    targets.append(
        (
            "Stoa post, 200 comments (rendered)",
            base + paths["post200"],
            {"Cookie": run.SESSION_COOKIE},
        )
    )
    for key, label in MEMBER_PAGES.items():
        if key not in paths:
            continue
        url = base + paths[key]
        status, body = run.get(url, member)
        # A page (not a feed) shows the signed-in member their account link.
        personal = b"<rss" in body[:200] or b">My account</a>" in body
        if status != 200 or not personal:
            raise run.BenchError(f"{url} as the member: {status}, not as the member sees it")
        targets.append((f"Stoa {label} (member)", url, member))
    rates: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for turn in range(runs):
        for name, url, headers in targets:
            log(f"run {turn + 1}/{runs}: {name}")
            run.run_wrk(url, WARM_UP, headers)
            rates[name].append(run.run_wrk(url, seconds, headers).rps)
    median = {name: sorted(values)[len(values) // 2] for name, values in rates.items()}
    wordpress, post = median["WordPress home"], median["Stoa post, 200 comments (rendered)"]
    lines = [
        f"| page (median of {runs} runs of {seconds} s) | requests/s | × WordPress's home "
        f"(budget {MEMBER_BUDGET:g}×) | × Stoa's rendered post (budget 1×) | each run |",
        "|---|---:|---:|---:|---|",
    ]
    for name, _, _ in targets:
        mine = median[name]
        # Each run's rate too: the machine's speed swings by half within minutes, and a
        # median of three is one run when two fell in a slow spell.
        each = " / ".join(f"{rate:,.0f}" for rate in rates[name])
        lines.append(
            f"| {name} | {mine:,.1f} | {mine / wordpress:.1f}× | {mine / post:.2f}× | {each} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured runs per target")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument(
        "--scale",
        choices=list(run.SCALES),
        default="small",
        help="Stoa's site: the demo with the bench's posts, or the large one (as make bench)",
    )
    args = parser.parse_args(argv)
    if not (ANCHORS / "measure.sh").exists():
        log(f"no {ANCHORS}/measure.sh: nothing to measure beside")
        return 2
    if shutil.which("wrk") is None:
        log("wrk is not installed (apt-get install wrk)")
        return 2
    anchors_up()
    var_dir = Path(tempfile.mkdtemp(prefix="stoa-anchors-"))
    running: list[Any] = []
    try:
        env = run.bench_env(var_dir)
        collected = var_dir / "collectstatic.done"
        python = sys.executable
        prepare_args = [python, "bench/django_script.py", "prepare", str(collected)]
        if args.scale == "large":  # as make bench SCALE=large: the kept site, copied here
            run.copy_large_site(var_dir)
            prepare_args.append("--no-demo")
        collect = run.Step.start(
            "collectstatic",
            [python, "-m", "stoa", "collectstatic", "--noinput", "-v0"],
            env,
            var_dir,
        )
        running.append(collect)
        prepare = run.Step.start("prepare", prepare_args, env, var_dir)
        running.append(prepare)
        collect.finish()
        collected.touch()
        data = run.last_json_line(prepare.finish(timeout=1800))
        server = run.Server(env, var_dir)
        running.append(server)
        server.start()
        server.wait_ready()
        log(f"Stoa on {server.base}")
        out = var_dir / "measure"
        command = ["bash", str(ANCHORS / "measure.sh"), "-n", str(args.runs)]
        command += ["-d", str(args.duration), "-o", str(out)]
        command += stoa_targets(server.base, data["paths"], data["write_post_id"])
        subprocess.run(command, check=True, cwd=ANCHORS, timeout=3600)
        # measure.sh has printed its summary (summary.md); the ratios follow it.
        summary = json.loads((out / "summary.json").read_text())
        print(ratios(summary))
        print()
        session = data["queries"]["sessions"]["member"]
        print(member_pages(server.base, data["paths"], session, args.runs, args.duration))
    finally:
        for process in reversed(running):
            process.stop()
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

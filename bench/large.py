"""The large site of issue 12's scale budgets, built once and kept: 20,000 posts, 400,000
comments, 2,000 members, years of dates. `make bench SCALE=large` (bench/run.py --scale large)
copies it into its temp dir and measures every row against it.

    .venv/bin/python bench/large.py                  # build it (or say where it is)
    .venv/bin/python bench/large.py --posts 200 --comments 4000 --members 50   # a small one

How it is made (each stage leaves a mark, so an interrupted build goes on where it stopped):

1. bench/wordpress_generate.py writes the synthetic WordPress export (a WordPress 6.1 WXR of
   that many posts and comments; posts four hours apart from January 2014, so the archives
   reach back nine years and /2022/03/ is a full month).
2. A fresh SQLite database (`stoa migrate`) takes it in with `stoa import-wordpress`, as a
   magazine moving over would: about 1,000 comments a second today, so some minutes.
3. The members and the bench's own pieces (bench/django_script.py `large`): see there.

The database is kept under var/bench-large/<key>/, the key naming the generator's version
(a hash of bench/wordpress_generate.py and of the extras' code) and the sizes, so a changed
generator builds a new one and repeated runs reuse it. The export itself is deleted once
imported (600 MB). Nothing here talks to the network.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wordpress_import  # type: ignore[import-not-found]  # noqa: E402 - bench/ is not a package

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GENERATOR = BENCH / "wordpress_generate.py"
EXTRAS = BENCH / "django_script.py"  # its `large` step adds the members and the bench's posts
HOME = REPO / "var" / "bench-large"
POSTS, COMMENTS, MEMBERS = 20_000, 400_000, 2_000
DATABASE = "stoa.sqlite3"
IMPORTED = "imported.sqlite3"  # the database as the import left it
SUMMARY = "extras.json"  # what the extras made (one JSON line)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class LargeError(Exception):
    """A build stage failed; the message says which and why."""


@dataclass(frozen=True)
class Site:
    posts: int = POSTS
    comments: int = COMMENTS
    members: int = MEMBERS

    @property
    def key(self) -> str:
        """The generator's version and the sizes: what the kept database depends on."""
        digest = hashlib.sha256(GENERATOR.read_bytes())
        version = digest.hexdigest()[:10]
        return f"g{version}-p{self.posts}-c{self.comments}-m{self.members}"

    @property
    def directory(self) -> Path:
        return HOME / self.key

    @property
    def database(self) -> Path:
        return self.directory / DATABASE

    @property
    def extras_mark(self) -> Path:
        """Left when the extras are in: named by their code's version, so changed extras are
        made again on the imported copy rather than on top of the old ones."""
        version = hashlib.sha256(EXTRAS.read_bytes()).hexdigest()[:10]
        return self.directory / f"extras-{version}.done"

    @property
    def ready(self) -> bool:
        return self.extras_mark.exists()


def environment(var_dir: Path) -> dict[str, str]:
    """Production settings on plain http with a SQLite database under var_dir; no worker:
    the import bench's (wordpress_import.child_env), whose import this is."""
    return wordpress_import.child_env(var_dir)


def stage(name: str, args: list[str], site: Site, timeout: float) -> str:
    """Run one stage as a child process (its log kept beside the database); its stdout."""
    log_path = site.directory / f"{name}.log"
    started = time.monotonic()
    log(f"large site: {name} ...")
    with log_path.open("wb") as err:
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter, the repository's scripts
                args,
                cwd=REPO,
                env=environment(site.directory),
                stdout=subprocess.PIPE,
                stderr=err,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise LargeError(f"{name}: not done after {timeout:.0f} s") from error
    if done.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise LargeError(f"{name} exited {done.returncode}:\n{tail}")
    log(f"large site: {name} done in {time.monotonic() - started:.0f} s")
    return done.stdout.decode(errors="replace")


def build(site: Site) -> Path:
    """Make the large site's database unless it is there; its directory."""
    directory = site.directory
    if site.ready:
        log(f"large site: reusing {directory}")
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    export = directory / "site.wordpress.xml"
    imported = directory / "import.done"
    if not imported.exists():
        if not (directory / "generate.done").exists():
            stage(
                "generate",
                [python, str(GENERATOR), "--posts", str(site.posts)]
                + ["--comments", str(site.comments), "--out", str(export)],
                site,
                timeout=1800,
            )
            (directory / "generate.done").touch()
        (directory / DATABASE).unlink(missing_ok=True)  # an interrupted import starts again
        stage("migrate", [python, "-m", "stoa", "migrate", "--no-input", "-v", "0"], site, 600)
        stage("import", [python, "-m", "stoa", "import-wordpress", str(export)], site, 7200)
        # The imported site is kept as it came in: the extras start from it again.
        shutil.copyfile(directory / DATABASE, directory / IMPORTED)
        imported.touch()
        export.unlink(missing_ok=True)
        (directory / "generate.done").unlink(missing_ok=True)
    for old in directory.glob("extras-*.done"):
        old.unlink()
    for suffix in ("-wal", "-shm"):
        (directory / f"{DATABASE}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(directory / IMPORTED, directory / DATABASE)
    printed = stage("extras", [python, str(EXTRAS), "large", str(site.members)], site, 3600)
    (directory / SUMMARY).write_text(printed.strip().splitlines()[-1] + "\n")
    site.extras_mark.touch()
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--comments", type=int, default=COMMENTS)
    parser.add_argument("--members", type=int, default=MEMBERS)
    args = parser.parse_args(argv)
    try:
        directory = build(Site(args.posts, args.comments, args.members))
    except LargeError as error:
        log(f"FAILED: {error}")
        return 1
    print(directory / DATABASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The import contract of pyproject.toml ([tool.importlinter]), which `make lint` checks, run
by lint-imports against a small package laid out like Stoa: it passes the right arrows and
refuses a wrong one, so a contract that matches nothing (a typo, a renamed app) cannot pass
unnoticed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"
# Another name than "stoa": the real package is installed, and would be analysed instead.
ROOT = "layered"
APPS = ("core", "members", "publishing", "discussion", "webcasts")
# Every arrow the layers allow, and the composition root importing every app.
ALLOWED = {
    "members": ["core"],
    "publishing": ["members", "core"],
    "discussion": ["publishing", "members", "core"],
    "webcasts": ["publishing", "members", "core"],
    "urls": list(APPS),
}


def contract_for(root: str) -> dict[str, Any]:
    """The project's own contract, moved onto another root package."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    assert config["root_package"] == "stoa" and contract["containers"] == ["stoa"]
    return {**contract, "containers": [root]}


def toml_config(contract: dict[str, Any]) -> str:
    def value(item: Any) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(value(v) for v in item) + "]"
        return f'"{item}"'

    lines = [f'[tool.importlinter]\nroot_package = "{ROOT}"\n\n[[tool.importlinter.contracts]]']
    lines += [f"{key} = {value(item)}" for key, item in contract.items()]
    return "\n".join(lines) + "\n"


def lint(tmp_path: Path, *, imports: dict[str, list[str]], apps: tuple[str, ...] = APPS) -> str:
    """Lay out the package with each module importing the apps named for it, run lint-imports
    as `make lint` does, and return its report; pytest fails if the exit status is not 0 or 1."""
    package = tmp_path / ROOT
    for name in {*apps, *imports}:
        (package / name).mkdir(parents=True, exist_ok=True)
        body = "".join(f"import {ROOT}.{target}\n" for target in imports.get(name, []))
        (package / name / "__init__.py").write_text(body)
    (package / "__init__.py").write_text("")
    config = tmp_path / "pyproject.toml"
    config.write_text(toml_config(contract_for(ROOT)))
    lint_imports = Path(sys.executable).with_name("lint-imports")
    # The arguments are this test's own, not input from anywhere else.
    result = subprocess.run(  # noqa: S603
        [str(lint_imports), str(config), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return ("KEPT\n" if result.returncode == 0 else "BROKEN\n") + result.stdout


def test_imports_down_the_layers_and_from_the_composition_root_keep_the_contract(
    tmp_path: Path,
) -> None:
    report = lint(tmp_path, imports=ALLOWED)
    assert report.startswith("KEPT"), report
    assert "1 kept, 0 broken" in report


def test_the_demo_app_is_optional_and_on_top_when_it_exists(tmp_path: Path) -> None:
    with_demo = {**ALLOWED, "demo": ["discussion", "webcasts", "core"]}
    report = lint(tmp_path, imports=with_demo, apps=(*APPS, "demo"))
    assert report.startswith("KEPT"), report


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("core", "members"),
        ("members", "publishing"),
        ("publishing", "webcasts"),
        ("webcasts", "discussion"),  # one layer, but independent of each other
        ("discussion", "webcasts"),
        ("core", "discussion"),
        ("discussion", "demo"),
    ],
)
def test_an_import_up_the_layers_or_across_independent_apps_breaks_the_contract(
    tmp_path: Path, importer: str, imported: str
) -> None:
    imports = {**ALLOWED, importer: [*ALLOWED.get(importer, []), imported]}
    report = lint(tmp_path, imports=imports, apps=(*APPS, "demo"))
    assert report.startswith("BROKEN"), report
    assert f"{ROOT}.{importer} is not allowed to import {ROOT}.{imported}" in report
    assert f"{ROOT}.{importer} -> {ROOT}.{imported}" in report

"""The bench's pytest marker (registered here, so `--strict-markers` accepts it)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bench: runs bench/run.py --quick against a real server (30-60 s)"
    )

"""Markers for the slow paths, applied in one place for the whole run.

``make test`` runs everything; ``make test-fast`` deselects the four slow paths:

* ``notebook``: a notebook run top to bottom in a kernel (nbval's items, and tests that drive nbclient);
* ``browser``: end-to-end tests in Chromium (``tests/browser``);
* ``subprocess``: a build or a tool run in another process (mypy, pdoc, decks, a wheel, a hub);
* ``slow``: anything else over a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

try:  # the hub service's modules need the `hub` extra; without it their doctests are not collected
    import jupyterhub  # noqa: F401
    import sqlalchemy  # noqa: F401
except ImportError:
    collect_ignore_glob = ["meia_cnn/classroom/service/*"]

#: Test modules whose every test runs notebooks in a kernel.
NOTEBOOK_MODULES = {"test_no_answer_before_question.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if path.suffix == ".ipynb" or path.name in NOTEBOOK_MODULES:
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.slow)
        if (ROOT / "tests" / "browser") in path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("subprocess") is not None:
            item.add_marker(pytest.mark.slow)

"""Fixtures for the end-to-end tests: a JupyterLab (or Voilà) server and headless Chromium.

Every test here is marked ``browser`` and runs in Debian's Chromium driven by
Playwright for Python.  When Chromium or Playwright is missing, every browser
test is skipped with one reason.

The servers run from the kit's own environment (``sys.executable``) on a free
port of 127.0.0.1, with a random token, temporary Jupyter config, runtime,
settings and workspace folders, and a temporary copy of ``notebooks/``.  Each
server runs in its own process group, which is what the fixture stops.

Waits are on conditions (a selector, a kernel status, a readout's text), never
on fixed sleeps.  Screenshots go to ``build/test-artifacts/browser/``.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from .meia_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WIDGET_MS,
    LabPage,
    LabServer,
    _missing_browser,
    voila_serving,
)

_MISSING = _missing_browser()


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _needs_browser():
    """Skip every browser test, with one reason, when Chromium or Playwright is missing."""
    if _MISSING:
        pytest.skip(_MISSING)


# -- fixtures --------------------------------------------------------------------
@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("lab"))
    try:
        server.wait_ready()
        yield server
    finally:
        with contextlib.suppress(Exception):
            if server.proc.poll() is None:
                server.shutdown_kernels()
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module (Playwright's sync API allows one driver at a time,
    so other modules, such as tests/notebooks/test_slides.py, can start their own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Playwright gives every launch a fresh temporary user-data dir.
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1680, "height": 1000}, device_scale_factor=1)
    context.set_default_timeout(WIDGET_MS)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        with contextlib.suppress(Exception):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"))
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


@pytest.fixture
def lab(page, lab_server):
    """A JupyterLab page helper; kernels are shut down after each test."""
    helper = LabPage(page, lab_server)
    yield helper
    with contextlib.suppress(Exception):
        lab_server.shutdown_kernels()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Voila serving a copy of the kit's notebooks (English and Spanish), with the kit's voila.json."""
    with voila_serving(tmp_path_factory.mktemp("voila")) as server:
        yield server

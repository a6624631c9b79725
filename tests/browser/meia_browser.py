"""Helpers of the browser tests: Jupyter servers in their own process group, page actions.

Imported by ``conftest.py`` and the test modules of this folder (a module
name of its own, so it never clashes with another ``conftest``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = Path(os.environ.get("MEIA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "build" / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: Generous bounds for a loaded 2-core machine; a passing run is far below them.
SERVER_START_S = 90
KERNEL_START_MS = 90_000
RUN_ALL_MS = 180_000
WIDGET_MS = 30_000

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _missing_browser():
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (install Debian's `chromium` package, as .ci/run does, or set MEIA_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


# -- processes -----------------------------------------------------------------
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (localhost)
        return response.status, response.read()


class Server:
    """A Jupyter server process started in its own session, stopped by its group."""

    def __init__(self, name, cmd, *, env, cwd, log_path, status_url, base_url):
        self.name = name
        self.base_url = base_url
        self.status_url = status_url
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log(self, tail=4000):
        if not self._log.closed:
            self._log.flush()
        return Path(self.log_path).read_text(errors="replace")[-tail:]

    def wait_ready(self, timeout=SERVER_START_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, _ = _get(self.status_url, timeout=2)
                if status == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)  # polling interval of a condition, not a fixed wait
        raise RuntimeError(f"{self.name} did not answer {self.status_url} in {timeout} s:\n{self.log()}")

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()


def jupyter_env(base):
    """Environment with every Jupyter/IPython folder under ``base`` (nothing from $HOME)."""
    dirs = {name: base / name for name in ("config", "runtime", "data", "ipython", "mpl")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(dirs["ipython"]),
        MPLCONFIGDIR=str(dirs["mpl"]),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("MPLBACKEND", None)
    env.pop("JUPYTER_PATH", None)
    return env


def write_lab_settings(settings_dir):
    """User settings for a quiet, test-friendly Lab: no news toast, every cell attached."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        # All cells in the DOM, so widgets below the fold render and can be checked.
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # No autosave racing with the explicit save of a test.
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    }
    for rel, value in settings.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def copy_notebooks(dest):
    """A fresh copy of the kit's notebooks (and their assets) under ``dest/notebooks``."""
    target = dest / "notebooks"
    if NOTEBOOKS.is_dir():
        shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    else:
        target.mkdir(parents=True)
    return target


def kit_notebooks():
    """Names of the kit's notebooks, in lecture order."""
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) if NOTEBOOKS.is_dir() else []


class LabServer(Server):
    def __init__(self, base):
        self.root = base / "root"
        self.root.mkdir()
        self.notebooks = copy_notebooks(self.root)
        self.settings = base / "settings"
        self.workspaces = base / "workspaces"
        self.workspaces.mkdir()
        write_lab_settings(self.settings)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self.settings}",
            f"--LabApp.workspaces_dir={self.workspaces}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            "JupyterLab",
            cmd,
            env=jupyter_env(base),
            cwd=str(self.root),
            log_path=base / "lab.log",
            status_url=f"{url}/api/status?token={self.token}",
            base_url=url,
        )

    def api(self, method, path):
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (localhost)
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Stop every running kernel (frees the 2 cores between notebooks)."""
        for kernel in self.api("GET", "kernels") or []:
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"kernels/{kernel['id']}")

    def url(self, path):
        return f"{self.base_url}/lab/tree/{path}?reset&token={self.token}"


class VoilaServer(Server):
    def __init__(self, base, directory):
        self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "voila",
            "--no-browser",
            f"--port={self.port}",
            "--Voila.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            str(directory),
        ]
        url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            "Voila",
            cmd,
            env=jupyter_env(base),
            cwd=str(directory),
            log_path=base / "voila.log",
            status_url=f"{url}/",
            base_url=url,
        )

    def url(self, notebook):
        return f"{self.base_url}/voila/render/{notebook}"


@contextlib.contextmanager
def voila_serving(base, folder=None):
    """Voila serving ``folder`` (default: a fresh copy of the kit's notebooks under ``base``).

    The folder gets the kit's ``voila.json`` (its template, extensions and
    policy) when it has none, as a user starting Voila in ``notebooks/`` has.
    """
    folder = copy_notebooks(base) if folder is None else folder
    if not (folder / "voila.json").exists() and (NOTEBOOKS / "voila.json").exists():
        shutil.copy(NOTEBOOKS / "voila.json", folder / "voila.json")
    server = VoilaServer(base, folder)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# -- page helpers ------------------------------------------------------------------
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

_KERNEL_IDLE_JS = """
(panelSel) => {
  const panel = document.querySelector(panelSel);
  if (!panel) return false;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const name = panel.querySelector('.jp-KernelName, .jp-Toolbar-kernelName');
  const bar = document.querySelector('#jp-main-statusbar');
  return !!indicator && indicator.getAttribute('data-status') === 'idle' &&
         !!name && name.innerText.trim() !== '' && !/No Kernel/.test(name.innerText) &&
         !!bar && /\\| Idle/.test(bar.innerText);
}
"""

_RUN_FINISHED_JS = """
(panelSel) => {
  const panel = document.querySelector(panelSel);
  if (!panel) return false;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!indicator || indicator.getAttribute('data-status') !== 'idle') return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
      .map(e => e.textContent.trim());
  if (prompts.some(p => p.includes('*'))) return false;
  if (prompts.length === 0) return true;
  // finished: the last code cell ran, or a run stopped at an error
  return /\\[\\d+\\]/.test(prompts[prompts.length - 1]) ||
         panel.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') !== null;
}
"""

_WIDGET_STATE_JS = """
(rootSel) => {
  const root = document.querySelector(rootSel) || document.body;
  const text = root.innerText || '';
  const views = [...root.querySelectorAll('.jp-OutputArea-output')]
      .filter(e => !e.parentElement.closest('.jupyter-widgets'))
      .filter(e => e.querySelector(':scope > .jupyter-widgets, :scope > .jp-RenderedText, :scope > pre') === null
                   ? /Loading widget|Error displaying widget/.test(e.innerText)
                   : e.querySelector(':scope > .jupyter-widgets') !== null);
  return {
    errors: (text.match(/Error displaying widget[^\\n]*/g) || [])
        .concat([...root.querySelectorAll('.jupyter-widgets-error-widget')]
                .map(e => e.innerText.trim().slice(0, 400))),
    loading: (text.match(/Loading widget[^\\n]*/g) || []).length,
    views: views.length,
    empty: views.filter(e => !e.querySelector(':scope > .jupyter-widgets')).length,
    explorers: root.querySelectorAll('.meia-explorer').length,
    undrawn: [...root.querySelectorAll('.meia-explorer')]
        .filter(e => !e.querySelector('.meia-view[data-drawn]')).length,
  };
}
"""


class LabPage:
    """What a user does in JupyterLab, as waits on conditions."""

    def __init__(self, page, server):
        self.page = page
        self.server = server

    @property
    def panel(self):
        return self.page.locator(NOTEBOOK_PANEL)

    def open(self, path):
        """Open ``path`` (relative to the server root) as the only tab and wait for its kernel."""
        page = self.page
        page.goto(self.server.url(path))
        name = Path(path).name
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel", has_text=name).wait_for(
            timeout=KERNEL_START_MS
        )
        self.wait_kernel_idle()

    def wait_kernel_idle(self, timeout=KERNEL_START_MS):
        """Wait until the current notebook has a connected, idle kernel.

        The execution indicator says "idle" before any kernel exists ("No
        Kernel | Initializing"), so the kernel's name and the status bar are
        checked too.  A notebook without kernel metadata asks which kernel to
        use: the default is accepted.
        """
        dialog = self.page.locator(".jp-Dialog .jp-mod-accept")
        deadline = time.monotonic() + timeout / 1000
        while True:
            with contextlib.suppress(PlaywrightTimeout()):
                self.page.wait_for_function(_KERNEL_IDLE_JS, arg=NOTEBOOK_PANEL, timeout=2000, polling=100)
                return
            if dialog.count():
                dialog.first.click()
            if time.monotonic() > deadline:
                raise AssertionError(f"kernel not idle after {timeout / 1000:.0f} s")

    def command(self, menu, command_id):
        """Click a main-menu entry by its command id (e.g. Run > runmenu:run-all)."""
        page = self.page
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        page.locator(f'.lm-Menu-item[data-command="{command_id}"]').first.click()

    def run_all(self, timeout=RUN_ALL_MS):
        self.command("Run", "runmenu:run-all")
        self.page.wait_for_function(_RUN_FINISHED_JS, arg=NOTEBOOK_PANEL, timeout=timeout, polling=250)

    def save(self):
        """Save the notebook and wait until the tab is no longer dirty."""
        self.command("File", "docmanager:save")
        self.page.locator(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=WIDGET_MS)

    def saved_outputs(self, path):
        """Outputs of the saved notebook, per code cell (read from the server's file)."""
        nb = json.loads((self.server.root / path).read_text())
        return [c.get("outputs", []) for c in nb["cells"] if c["cell_type"] == "code"]

    def wait_widgets_rendered(self, root=NOTEBOOK_PANEL, timeout=WIDGET_MS):
        """Wait until no widget is still loading; return the final widget state."""
        self.page.wait_for_function(
            "(sel) => !((document.querySelector(sel) || document.body).innerText || '').includes('Loading widget')",
            arg=root,
            timeout=timeout,
            polling=250,
        )
        return self.page.evaluate(_WIDGET_STATE_JS, root)

    def widget_errors(self, root=NOTEBOOK_PANEL):
        """The messages of the widgets that failed to render (each one clicked open)."""
        messages = []
        for err in self.page.locator(f"{root} .jupyter-widgets-error-widget").all():
            with contextlib.suppress(Exception):
                err.click()
            messages.append(" ".join(err.inner_text().split())[:600])
        return messages

    def wait_views(self, expected, root=NOTEBOOK_PANEL, timeout=WIDGET_MS):
        """Wait until ``expected`` top-level widget views are on the page and none is loading."""
        self.page.wait_for_function(
            "([js, sel, n]) => { const s = eval(js)(sel); return s.loading === 0 && s.views >= n; }",
            arg=[_WIDGET_STATE_JS, root, expected],
            timeout=timeout,
            polling=250,
        )

    def screenshot_notebook(self, path, max_height=14000):
        """A screenshot of the whole notebook: the window is made as tall as the notebook."""
        page = self.page
        size = page.viewport_size
        height = page.evaluate(
            "(sel) => { const s = document.querySelector(sel + ' .jp-WindowedPanel-outer');"
            " return s ? s.scrollHeight : 0; }",
            NOTEBOOK_PANEL,
        )
        tall = max(size["height"], min(max_height, height + 160))
        page.set_viewport_size({"width": size["width"], "height": tall})
        try:
            page.wait_for_function(
                "([sel, h]) => { const s = document.querySelector(sel + ' .jp-WindowedPanel-outer');"
                " return !s || s.clientHeight >= Math.min(h, s.scrollHeight) - 2; }",
                arg=[NOTEBOOK_PANEL, tall - 200],
                timeout=WIDGET_MS,
                polling=100,
            )
            page.screenshot(path=str(path))
        finally:
            page.set_viewport_size(size)


def PlaywrightTimeout():
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    return PlaywrightTimeoutError


def wait_text_change(locator, before, timeout=WIDGET_MS):
    """Wait until ``locator``'s inner text differs from ``before``; return the new text."""
    handle = locator.element_handle()
    locator.page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[handle, before], timeout=timeout, polling=100
    )
    return locator.inner_text()


def wait_text_shows(locator, expected, timeout=WIDGET_MS):
    """Wait until ``locator``'s inner text, its spaces folded, holds ``expected``; return that text.

    For a readout that may be drawn twice for one change (by the page, then again when the kernel's
    echo of the same value arrives): what matters is the text the learner ends up reading.
    """
    handle = locator.element_handle()
    try:
        locator.page.wait_for_function(
            "([el, text]) => el.innerText.replace(/\\s+/g, ' ').includes(text)",
            arg=[handle, expected],
            timeout=timeout,
            polling=100,
        )
    except Exception as exc:  # say what was shown instead
        raise AssertionError(f"{expected!r} never shown; the text reads {locator.inner_text()!r}") from exc
    return locator.inner_text()


def slider(explorer, label):
    """The slider of ``explorer`` whose label reads ``label`` (case-insensitive)."""
    return (
        explorer.locator(".widget-slider")
        .filter(has=explorer.page.locator(".widget-label", has_text=re.compile(rf"^\s*{label}\b", re.I)))
        .first
    )


def equation3_result(readout_text):
    """The first result of equation (3) written in a readout ('... ⌋ + 1 = N')."""
    match = re.search(r"\u230b\s*\+\s*1\s*=\s*(\d+)", readout_text)
    assert match, f"no '⌊...⌋ + 1 = N' in the readout:\n{readout_text}"
    return int(match.group(1))


# -- explorers drawn in the browser (anywidget views) ---------------------------------
def view_of(explorer):
    """The drawing of a browser-drawn explorer (its ``.meia-view``)."""
    return explorer.locator(".meia-view").first


def drawn(view):
    """The view's draw counter (``data-drawn``, set after every draw), or None."""
    return view.get_attribute("data-drawn")


def wait_drawn(view, before=None, timeout=WIDGET_MS):
    """Wait until the view has drawn (and, given ``before``, drawn again); return the counter."""
    view.page.wait_for_function(
        "([el, before]) => el.dataset.drawn !== undefined && el.dataset.drawn !== before",
        arg=[view.element_handle(), before],
        timeout=timeout,
        polling="raf",
    )
    return drawn(view)


def readout_of(explorer):
    """The readout of an explorer: inside its view when drawn in the browser."""
    inside = explorer.locator(".meia-view .meia-readout")
    return inside.first if inside.count() else explorer.locator(".meia-readout").first


def press_slider(explorer, label, key="ArrowRight"):
    """Focus the slider labelled ``label`` and press ``key`` (what a keyboard user does)."""
    handle = slider(explorer, label).locator(".noUi-handle")
    handle.focus()
    handle.press(key)


_OVERFLOW_JS = """
(el) => {
  const bad = [];
  // buttons and labels cut their text with an ellipsis: scrollWidth > clientWidth there too
  for (const node of [el, ...el.querySelectorAll('.meia-view, .meia-figure, .widget-box, button, .widget-label')]) {
    if (node.scrollWidth > node.clientWidth + 1) {
      bad.push(`${node.className}: scrollWidth ${node.scrollWidth} > clientWidth ${node.clientWidth}`);
    }
  }
  return bad;
}
"""


def overflow(explorer):
    """Elements of the explorer wider than their box (``[]`` when nothing overflows)."""
    return explorer.evaluate(_OVERFLOW_JS)


_SMALL_TEXT_JS = """
(el) => [...el.querySelectorAll('svg text, .meia-readout, table.meia-architecture *')]
    .filter(t => t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize))
    .reduce((a, b) => Math.min(a, b), 99)
"""


_SPILLED_JS = """
(el) => [...el.querySelectorAll('g.meia-grid text')]
    .map(t => [t, t.previousElementSibling])
    .filter(([t, cell]) => cell && cell.tagName === 'rect' && t.getBBox().width > 0)
    .filter(([t, cell]) => t.getBoundingClientRect().width > cell.getBoundingClientRect().width + 0.5)
    .map(([t, cell]) => `"${t.textContent}" ${t.getBoundingClientRect().width.toFixed(1)} px `
                        + `in a ${cell.getBoundingClientRect().width.toFixed(1)} px cell`)
"""


def spilled_labels(explorer):
    """Numbers wider than the grid cell they are written in (``[]`` when every one fits)."""
    return explorer.evaluate(_SPILLED_JS)


_CUT_TEXT_JS = """
(el) => [...el.querySelectorAll('.meia-view svg text')]
    .filter(t => t.getBBox().width > 0 && getComputedStyle(t.ownerSVGElement).overflow !== 'visible')
    .map(t => [t, t.getBoundingClientRect(), t.ownerSVGElement.getBoundingClientRect()])
    .filter(([t, r, s]) => r.left < s.left - 1 || r.right > s.right + 1)
    .map(([t, r, s]) => `"${t.textContent}" runs to ${r.right.toFixed(1)} px, past its drawing's edge `
                        + `at ${s.right.toFixed(1)} px`)
"""


def cut_texts(explorer):
    """Texts of the drawing cut by the edge of the SVG they are drawn in (``[]`` when every one shows whole)."""
    return explorer.evaluate(_CUT_TEXT_JS)


def smallest_text(explorer):
    """The smallest font size (px) of the drawing's text and readout."""
    return explorer.evaluate(_SMALL_TEXT_JS)


def nudge_stride(explorer, expected_size):
    """Move a StridePaddingExplorer's stride one step with the keyboard.

    Checks that the readout's equation (3) gives ``expected_size(stride)``
    before and after, that the stride changed and that the drawing was redrawn.
    Returns the strides ``(before, after)``.
    """
    readout = readout_of(explorer)
    view = view_of(explorer)
    stride = slider(explorer, "stride")
    before = int(stride.locator(".widget-readout").inner_text())
    before_text = readout.inner_text()
    counter = wait_drawn(view)
    assert equation3_result(before_text) == expected_size(before)
    press_slider(explorer, "stride", "ArrowLeft" if before > 1 else "ArrowRight")
    wait_drawn(view, counter)
    after_text = wait_text_change(readout, before_text)
    after = int(stride.locator(".widget-readout").inner_text())
    assert after != before
    assert equation3_result(after_text) == expected_size(after)
    return before, after


# -- every explorer on one page -----------------------------------------------------
#: every explorer the kit ships, as a notebook would build it
EXPLORERS = [
    "ParameterSharingExplorer()",
    "TemplateMatchingExplorer()",
    "ConvolutionExplorer()",
    "VolumeExplorer()",
    "FeatureMapExplorer()",
    "StridePaddingExplorer()",
    "TransposedConvExplorer()",
    "LearnKernelExplorer()",
    "PoolingExplorer()",
    "OneByOneExplorer()",
    "InceptionExplorer()",
    "TrainingExplorer(filters=2)",
    "ArchitectureExplorer()",
]


@contextlib.contextmanager
def explorers_voila(base):
    """Voila serving ``all_explorers.ipynb``, a notebook under ``base`` that displays every explorer."""
    folder = base / "notebooks"
    folder.mkdir()
    explorers_notebook(folder / "all_explorers.ipynb")
    with voila_serving(base, folder) as server:  # with the kit's voila.json
        yield server


def explorers_notebook(path, codes=EXPLORERS):
    """Write a notebook at ``path`` that imports and displays each explorer of ``codes``, one a cell."""
    names = sorted({code.split("(")[0] for code in codes})
    cells = [f"from meia_cnn.widgets import {', '.join(names)}", *codes]
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": src}
            for src in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


# -- contrast of the drawings' text ----------------------------------------------------
#: WCAG AA: text, and large text (24 px, or 18.66 px bold)
AA, AA_LARGE = 4.5, 3.0

_SVG_CONTRAST_JS = """
(root) => {
  const rgba = (css) => {
    let m = css.match(/^rgba?\\(([^)]+)\\)$/);
    if (m) {
      const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = css.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return [255 * +m[1], 255 * +m[2], 255 * +m[3], m[4] === undefined ? 1 : +m[4]];
    return null;
  };
  const over = (top, alpha, under) => [0, 1, 2].map((i) => top[i] * alpha + under[i] * (1 - alpha));
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const results = [];
  for (const svg of root.querySelectorAll('svg.meia-panel')) {
    const base = page(svg);
    const shapes = [...svg.querySelectorAll('rect, circle, ellipse, polygon, path, image')]
      .filter((s) => !s.closest('defs, marker, clipPath'));
    for (const t of svg.querySelectorAll('text')) {
      const box = t.getBoundingClientRect();
      if (!box.width || !t.textContent.trim()) continue;
      const point = new DOMPoint(box.left + box.width / 2, box.top + box.height / 2);
      let under = base, photo = false;
      for (const s of shapes) {
        if (!(s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        const style = getComputedStyle(s);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const r = s.getBoundingClientRect();
        if (point.x < r.left || point.x > r.right || point.y < r.top || point.y > r.bottom) continue;
        if (s.tagName === 'image') { photo = true; continue; }
        const local = point.matrixTransform(s.getScreenCTM().inverse());
        if (!s.isPointInFill(local)) continue;
        const fill = rgba(style.fill);
        if (!fill) continue;
        under = over(fill, fill[3] * +style.fillOpacity * +style.opacity, under);
      }
      if (photo) continue;  // words on a photograph: not measured here
      const style = getComputedStyle(t);
      const fill = rgba(style.fill);
      if (!fill) continue;
      const ink = over(fill, fill[3] * +style.fillOpacity * +style.opacity, under);
      const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
      results.push({ text: t.textContent.slice(0, 40), ratio: ratio(ink, under), large: size >= 24 || (bold && size >= 18.66),
                     ink: ink.map(Math.round), under: under.map(Math.round) });
    }
  }
  return results;
}
"""


def svg_text_contrast(explorer):
    """``(n, low)``: how many SVG texts of the explorer were measured, and those under WCAG AA.

    axe cannot see SVG text: each ``<text>`` is measured against what is
    painted under its centre (the shapes before it in its drawing, laid over
    the page's background); words on a photograph are left out.  The
    explorer must be on screen.
    """
    found = explorer.evaluate(_SVG_CONTRAST_JS)
    low = [
        f"{t['text']!r} {t['ratio']:.2f}:1 (ink {t['ink']} on {t['under']})"
        for t in found
        if t["ratio"] < (AA_LARGE if t["large"] else AA)
    ]
    return len(found), low


def measure_contrast(page, explorers, codes, width, shots=None):
    """``(n, problems)`` over every explorer of the page (``explorers``, built by ``codes``), each shown whole.

    ``n`` SVG texts measured; ``problems``: texts under WCAG AA and what
    :func:`overlaps` finds.  The window is made as tall as each explorer in
    turn (so its text is on screen); ``shots`` (a folder and a prefix) keeps a
    screenshot of each.
    """
    measured, low = 0, []
    for i, code in enumerate(codes):
        name = code.split("(")[0]
        explorer = explorers.nth(i)
        tall = int(explorer.evaluate("el => el.getBoundingClientRect().height")) + 120
        page.set_viewport_size({"width": width, "height": max(900, tall)})
        explorer.scroll_into_view_if_needed()
        wait_drawn(view_of(explorer))
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        texts, bad = svg_text_contrast(explorer)
        measured += texts
        low += [f"{name}: {text}" for text in bad + overlaps(explorer)]
        if shots is not None:
            folder, prefix = shots
            explorer.screenshot(path=str(folder / f"{prefix}-{name}.png"))
    page.set_viewport_size({"width": width, "height": 900})
    return measured, low


_OVERLAP_JS = """
(el) => {
  // words on words, words past their drawing's edge or out of their box, boxes on boxes, a table cut
  const bad = [];
  const box = (n) => n.getBoundingClientRect();
  const common = (a, b) => [Math.min(a.right, b.right) - Math.max(a.left, b.left),
                            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)];
  const shown = (n) => box(n).width > 0 && getComputedStyle(n).display !== 'none';
  for (const svg of el.querySelectorAll('svg.meia-panel')) {
    const edge = box(svg);
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() && shown(t));
    const boxes = [...svg.querySelectorAll('rect[rx]')].filter(shown);
    texts.forEach((t, i) => {
      const b = box(t);
      if (b.left < edge.left - 1 || b.right > edge.right + 1 || b.top < edge.top - 1 || b.bottom > edge.bottom + 1) {
        bad.push(`"${t.textContent}" cut by its drawing's edge`);
      }
      for (const u of texts.slice(i + 1)) {
        const [w, h] = common(b, box(u));
        // glyph boxes are taller than the ink: lines 3 px apart may share a pixel or two
        if (w > 1 && h > 3) bad.push(`"${t.textContent}" on "${u.textContent}" (${w.toFixed(0)}x${h.toFixed(0)} px)`);
      }
      const x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
      for (const r of boxes) {
        const rb = box(r);
        if (x < rb.left || x > rb.right || y < rb.top || y > rb.bottom) continue;
        if (b.left < rb.left - 1 || b.right > rb.right + 1) bad.push(`"${t.textContent}" wider than its box`);
      }
    });
    boxes.forEach((r, i) => {
      for (const q of boxes.slice(i + 1)) {
        const [w, h] = common(box(r), box(q));
        if (w > 1 && h > 1) bad.push(`two boxes overlap (${w.toFixed(0)}x${h.toFixed(0)} px)`);
      }
    });
  }
  for (const table of el.querySelectorAll('table')) {
    let holder = table.parentElement;  // the box that clips (or scrolls) it, else the explorer
    while (holder !== el && getComputedStyle(holder).overflowX === 'visible') holder = holder.parentElement;
    if (table.getBoundingClientRect().right > holder.getBoundingClientRect().right + 1) {
      bad.push(`a table ${Math.round(table.getBoundingClientRect().width)} px wide in a `
               + `${Math.round(holder.getBoundingClientRect().width)} px box: its last columns are cut`);
    }
  }
  return bad;
}
"""


def overlaps(explorer):
    """What collides in the explorer's drawings: words on words, words cut by an edge or sticking out
    of their box, boxes on boxes, a table wider than its box (``[]`` when nothing does)."""
    return explorer.evaluate(_OVERLAP_JS)

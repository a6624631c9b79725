"""Offline and private: the kit opens no socket and never unpickles.

- Importing ``meia_cnn``, building every explorer and moving its controls
  (the computations behind every drawing), loading the sample pictures, the
  digits and the shipped weights: no connection, no name lookup.  Checked in a
  fresh Python process (so the imports themselves are checked) whose
  ``socket`` refuses to connect and records every attempt.
- No ``pickle`` (or ``dill``/``joblib``/``shelve``/``marshal``) import and no
  ``allow_pickle=True`` anywhere in the package; every ``np.load`` says
  ``allow_pickle=False``; the shipped weights load that way and pass the
  schema check of :meth:`meia_cnn.nn.Sequential.load`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import meia_cnn

PACKAGE = Path(meia_cnn.__file__).resolve().parent
ROOT = PACKAGE.parent

_NO_NETWORK = r"""
import json, socket, sys
attempts = []

def refuse(kind):
    def blocked(*args, **kwargs):
        attempts.append([kind, repr(args[1:] if kind.startswith("socket.") else args)[:200]])
        raise OSError(f"network blocked by the test ({kind})")
    return blocked

socket.socket.connect = refuse("socket.connect")
socket.socket.connect_ex = refuse("socket.connect_ex")
socket.socket.sendto = refuse("socket.sendto")
socket.getaddrinfo = refuse("getaddrinfo")
socket.gethostbyname = refuse("gethostbyname")
socket.create_connection = refuse("create_connection")

import meia_cnn
import meia_cnn.widgets as mw
from meia_cnn import data, nn
from tests.driving import plan

for name in data.SAMPLE_NAMES:
    data.sample_image(name)
data.digits()
nn.load_reference()
built = []
for name in sorted(mw._EXPLORERS):
    viz = getattr(mw, name)()
    driven, _ = plan(viz, n=2)
    for control, values in driven:
        for value in values:
            try:
                viz.controls[control].value = value
            except Exception:
                pass
    assert viz.error == "" or viz.view.notice, (name, viz.error)
    viz.close()
    built.append(name)
print(json.dumps({"attempts": attempts, "built": built}))
"""


@pytest.mark.subprocess
def test_import_build_and_compute_open_no_socket():
    out = subprocess.run([sys.executable, "-c", _NO_NETWORK], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    import meia_cnn.widgets as mw

    assert result["built"] == sorted(mw._EXPLORERS)
    assert result["attempts"] == [], "the kit tried to reach the network"


def test_the_network_block_is_real(monkeypatch):
    """The same block, in this process: a connection attempt fails and is seen."""
    import socket

    seen = []

    def blocked(self, address):
        seen.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", blocked)
    with pytest.raises(OSError, match="blocked"), socket.socket() as s:
        s.connect(("192.0.2.1", 80))
    assert seen == [("192.0.2.1", 80)]


def _sources():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


PICKLE_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(?:c?[Pp]ickle|_pickle|dill|joblib|shelve|marshal|cloudpickle)\b", re.MULTILINE
)
ALLOW_PICKLE_TRUE = re.compile(r"allow_pickle\s*=\s*(?!False\b)")
NP_LOAD = re.compile(r"\bn(?:umpy|p)\.load\s*\(([^)]*)\)")


def test_no_pickle_anywhere_in_the_package():
    sources = _sources()
    assert len(sources) > 20
    for path in sources:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        assert not PICKLE_IMPORT.search(text), f"{rel} imports a pickle module"
        assert not ALLOW_PICKLE_TRUE.search(text), f"{rel} sets allow_pickle to something other than False"
        for call in NP_LOAD.finditer(text):
            assert "allow_pickle=False" in call.group(1), f"{rel}: np.load without allow_pickle=False"
    # the patterns catch what they are for
    assert PICKLE_IMPORT.search("import pickle\n") and PICKLE_IMPORT.search("from joblib import load\n")
    assert ALLOW_PICKLE_TRUE.search("np.load(f, allow_pickle=True)")
    assert not ALLOW_PICKLE_TRUE.search("np.load(f, allow_pickle=False)")


def test_the_shipped_weights_load_without_pickle_and_pass_the_schema(monkeypatch):
    from meia_cnn.nn import load_reference, reference_model
    from meia_cnn.nn.reference import REFERENCE_WEIGHTS

    assert Path(REFERENCE_WEIGHTS).resolve().is_relative_to(PACKAGE)
    calls = []
    real_load = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    model = load_reference()
    assert calls and all(flag is False for flag in calls), "every np.load of the weights refuses pickle"
    assert model.get_config() == reference_model().get_config()
    assert model.n_params == reference_model().n_params
    with real_load(REFERENCE_WEIGHTS, allow_pickle=False) as npz:
        for key in npz.files:
            assert npz[key].dtype != object, f"{key} would need pickle"


def test_voila_pages_may_load_from_this_machine_only():
    """Voila reads voila.json from the folder it starts in: the repository root or notebooks/."""
    root = json.loads((ROOT / "voila.json").read_text(encoding="utf-8"))
    assert json.loads((ROOT / "notebooks" / "voila.json").read_text(encoding="utf-8")) == root
    policy = root["Voila"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert {"default-src", "connect-src"} <= set(directives)
    for name, sources in directives.items():
        assert "'self'" in sources or sources == ["'none'"], name
        assert not [s for s in sources if s == "*" or "://" in s or s in ("http:", "https:", "ws:", "wss:")], (
            f"{name} allows another host: {sources}"
        )
    # no eval, no script from data: URLs, no plugins, no <base> or form sent elsewhere
    assert "'unsafe-eval'" not in policy
    assert "data:" not in directives["script-src"] and "data:" not in directives["default-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]


TEMPLATE = Path("share") / "jupyter" / "voila" / "templates" / "meia"


def test_voila_uses_the_kits_template_installed_in_this_environment():
    """voila.json picks the kit's template; the copy Voila finds is the repository's, not a stale one."""
    from jupyter_core.paths import jupyter_path

    config = json.loads((ROOT / "voila.json").read_text(encoding="utf-8"))["VoilaConfiguration"]
    assert config["template"] == "meia"
    # only the front-end extensions the explorers need (JupyterLab-only ones fail in Voila's page)
    assert {"@voila-dashboards/widgets-manager8", "anywidget"} <= set(config["extension_allowlist"])
    assert "jupyterlab-slideshow" not in config["extension_allowlist"]
    found = [Path(d) for d in jupyter_path("voila", "templates", "meia") if Path(d, "index.html.j2").is_file()]
    assert found, "the kit's Voila template is not installed (run `make .venv/.meia-cnn-installed`)"
    for name in ("conf.json", "index.html.j2"):
        assert (found[0] / name).read_bytes() == (ROOT / TEMPLATE / name).read_bytes(), (
            f"{found[0] / name} is out of date"
        )
    source = (ROOT / TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "{%- extends 'lab/index.html.j2' -%}" in source


def test_voila_template_drops_every_outside_link_of_the_lab_template():
    """Every http(s) stylesheet or script Voila's lab template names is removed by the kit's template."""
    from jupyter_core.paths import jupyter_path

    lab = next(
        Path(d) / "index.html.j2"
        for d in jupyter_path("voila", "templates", "lab")
        if (Path(d) / "index.html.j2").is_file()
    )
    links = re.findall(r'<link [^>]*href="https?://[^"]*"[^>]*/>', lab.read_text(encoding="utf-8"))
    assert links, "Voila's lab template no longer links anything outside: the kit's template may go"
    ours = (ROOT / TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    for link in links:
        assert f"replace('{link}', '')" in ours, f"not removed: {link}"

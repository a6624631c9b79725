"""The project's own promises: environment.yml in step with pyproject.toml, the two commands."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name_and_bound(requirement):
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][0-9.]*)?\s*$", requirement)
    assert match, f"not a lower-bound-only requirement: {requirement!r}"
    return match.group(1).lower().replace("_", "-"), (match.group(2) or "").replace(" ", "")


def _pyproject(extra="test"):
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    deps = dict(_name_and_bound(r) for r in project["dependencies"])
    test = dict(_name_and_bound(r.split("#")[0]) for r in project["optional-dependencies"][extra])
    return deps, test


def _environment(path=ROOT / "environment.yml"):
    entries = []
    in_deps = False
    for line in path.read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if re.match(r"^dependencies:", stripped):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", stripped):
            in_deps = False
        if in_deps:
            m = re.match(r"^\s*-\s+(.+)$", stripped)
            if m and not m.group(1).startswith("pip:"):
                entries.append(m.group(1).strip())
    parsed = dict(_name_and_bound(e) for e in entries)
    parsed.pop("python", None)  # the interpreter and pip itself are not dependencies of the kit
    parsed.pop("pip", None)
    return parsed


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    deps, test = _pyproject()
    env = _environment()
    assert env == {**deps, **test}


def test_the_image_environment_lists_the_dependencies_and_the_hub_extra_without_test_tools():
    deps, hub = _pyproject("hub")
    assert _environment(ROOT / "binder" / "environment.yml") == {**deps, **hub}


def test_dependencies_are_lower_bounds_only():
    deps, test = _pyproject()
    for name, bound in {**deps, **test}.items():
        assert bound.startswith(">="), f"{name} should have a lower bound only"


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


FORBIDDEN = ("ipywidgets", "IPython", "matplotlib", "anywidget", "ipympl")


def _core_modules():
    """Every module of the package outside meia_cnn/widgets and meia_cnn/tools, nn included."""
    package = ROOT / "meia_cnn"
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        if parts[0] in ("widgets", "tools"):
            continue
        name = ".".join(("meia_cnn",) + parts).removesuffix(".py").removesuffix(".__init__")
        found.append((name, path))
    return found


def test_the_core_module_list_covers_nn():
    names = [name for name, _ in _core_modules()]
    assert {"meia_cnn", "meia_cnn.ops", "meia_cnn.nn", "meia_cnn.nn.layers", "meia_cnn.nn.model",
            "meia_cnn.exercises", "meia_cnn.data", "meia_cnn._validation"} <= set(names)


def test_importing_the_core_does_not_import_widgets_or_plotting():
    modules = [name for name, _ in _core_modules() if not name.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import meia_cnn.data; meia_cnn.data.shapes\n"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r}))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name, path", _core_modules(), ids=[name for name, _ in _core_modules()])
def test_core_modules_have_no_widget_or_plotting_imports(name, path):
    source = path.read_text()
    pattern = rf"^\s*(import|from)\s+({'|'.join(FORBIDDEN)})\b"
    assert not re.search(pattern, source, re.M), f"{name} imports a widget or plotting library"

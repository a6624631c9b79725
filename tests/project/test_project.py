"""The project's own promises: environment.yml in step with pyproject.toml, the two commands, the layers."""

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]


def _name_and_bound(requirement):
    """``(name, ">=bound")``; a pip extra (``psycopg[binary]``) is dropped: conda's package of that name has it."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[a-z0-9,\-]+\])?\s*(>=\s*[0-9][0-9.]*)?\s*$", requirement)
    assert match, f"not a lower-bound-only requirement: {requirement!r}"
    return match.group(1).lower().replace("_", "-"), (match.group(3) or "").replace(" ", "")


EXTRAS = ("widgets", "course", "slides", "hub", "test")


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pyproject():
    """The core's requirements and every extra's (an extra naming meia-cnn[...] adds no requirement)."""
    project = _project()
    deps = dict(_name_and_bound(r) for r in project["dependencies"])
    extras = {
        name: dict(_name_and_bound(r) for r in reqs if not r.startswith("meia-cnn["))
        for name, reqs in project["optional-dependencies"].items()
    }
    return deps, extras


def _closure(extra):
    """Every requirement ``pip install "meia-cnn[extra]"`` asks for, following meia-cnn[...] references."""
    reqs = _project()["optional-dependencies"][extra]
    found = {}
    for r in reqs:
        inner = re.fullmatch(r"meia-cnn\[([a-z,]+)\]", r)
        if inner:
            for name in inner.group(1).split(","):
                found.update(_closure(name))
        else:
            found.update([_name_and_bound(r)])
    return found


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
    deps, extras = _pyproject()
    env = _environment()
    assert env == {**deps, **{k: v for extra in extras.values() for k, v in extra.items()}}


def test_the_image_environment_lists_the_course_and_hub_extras_without_test_tools():
    deps, _ = _pyproject()
    image = {**deps, **_closure("course"), **_closure("hub")}
    assert _environment(ROOT / "binder" / "environment.yml") == image


def test_dependencies_are_lower_bounds_only():
    deps, extras = _pyproject()
    for name, bound in {**deps, **{k: v for extra in extras.values() for k, v in extra.items()}}.items():
        assert bound.startswith(">="), f"{name} should have a lower bound only"


def test_the_core_is_numpy_and_the_rest_are_extras():
    deps, extras = _pyproject()
    assert deps == {"numpy": ">=1.24"}
    assert set(extras) == set(EXTRAS)
    assert {"ipywidgets", "anywidget", "pillow"} <= set(_closure("widgets"))
    assert {
        "jupyterlab",
        "voila",
        "jupyterlab-slideshow",
        "jupyterlab-language-pack-es-es",
        "tqdm",
        "ipywidgets",
    } <= set(_closure("course"))
    assert {"sphinx-revealjs", "latex2mathml", "babel", "nbconvert"} <= set(_closure("slides"))
    assert {"jupyterhub", "nbgitpuller"} <= set(_closure("hub"))
    # the tests need everything else too, and the references they compare with
    others = set().union(*(_closure(e) for e in EXTRAS if e != "test"))
    assert others | {"pytest", "scipy", "scikit-image", "scikit-learn"} <= set(_closure("test"))


def test_make_installs_what_lab_and_test_need():
    makefile = (ROOT / "Makefile").read_text()
    install = re.search(r'pip install --quiet -e "\.\[([a-z,]+)\]"', makefile)
    assert install, "the Makefile installs the kit editable with its extras"
    assert {"course", "test"} <= set(install.group(1).split(","))


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


FORBIDDEN = ("ipywidgets", "IPython", "matplotlib", "anywidget", "ipympl")


def _core_modules():
    """Every module of the package outside meia_cnn/widgets, nn included."""
    package = ROOT / "meia_cnn"
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        if parts[0] == "widgets" or parts[:2] == ("classroom", "service"):
            continue  # the hub service (jupyterhub, tornado, sqlalchemy) is an application on top
        name = ".".join(("meia_cnn",) + parts).removesuffix(".py").removesuffix(".__init__")
        found.append((name, path))
    return found


def test_the_core_module_list_covers_nn():
    names = [name for name, _ in _core_modules()]
    assert {
        "meia_cnn",
        "meia_cnn.ops",
        "meia_cnn.nn",
        "meia_cnn.nn.layers",
        "meia_cnn.nn.model",
        "meia_cnn.exercises",
        "meia_cnn.data",
        "meia_cnn._validation",
    } <= set(names)


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


# -- layers: core < nn < explain < widgets; tools outside ---------------------------------
LAYERS = {"core": 0, "nn": 1, "explain": 2, "widgets": 3, "service": 4}


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(name):
    """The layer of a module of the package: its first folder under meia_cnn, else the core."""
    parts = name.split(".")
    if parts[1:3] == ["classroom", "service"]:
        return "service"
    if len(parts) > 1 and parts[1] in ("nn", "explain", "widgets", "tools"):
        return parts[1]
    return "core"


def _package_imports(path):
    """Every meia_cnn module (or name in one) that ``path`` imports, at the top or inside a function."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return sorted(m for m in found if m == "meia_cnn" or m.startswith("meia_cnn."))


def _package_modules():
    return [(_module_name(path), path) for path in sorted((ROOT / "meia_cnn").rglob("*.py"))]


def test_the_layers_are_where_the_modules_are():
    layers = {name: _layer(name) for name, _ in _package_modules()}
    assert layers["meia_cnn.ops"] == layers["meia_cnn.arithmetic"] == layers["meia_cnn._validation"] == "core"
    assert layers["meia_cnn.nn.layers"] == layers["meia_cnn.nn.learn_kernel"] == "nn"
    assert layers["meia_cnn.explain.transposed"] == layers["meia_cnn.explain.learn_kernel"] == "explain"
    assert layers["meia_cnn.widgets.transposed"] == "widgets"
    # the import reader sees relative, absolute and in-function imports
    imports = _package_imports(ROOT / "meia_cnn" / "nn" / "learn_kernel.py")
    assert {"meia_cnn.ops.conv2d", "meia_cnn.nn.layers.Conv2D", "meia_cnn._validation"} <= set(imports)


@pytest.mark.parametrize("name, path", _package_modules(), ids=[name for name, _ in _package_modules()])
def test_imports_go_down_the_layers_only(name, path):
    """core < nn < explain < widgets: a module imports its own layer and those below; nothing imports tools."""
    mine = _layer(name)
    for imported in _package_imports(path):
        theirs = _layer(imported)
        if mine == "tools":
            continue
        assert theirs != "tools", f"{name} imports {imported}: the tools stay outside the runtime package"
        assert LAYERS[theirs] <= LAYERS[mine], f"{name} ({mine}) imports {imported} ({theirs}), a layer above it"


@pytest.mark.parametrize(
    "layer, above",
    [
        ("core", ("nn", "explain", "widgets", "tools")),
        ("nn", ("explain", "widgets", "tools")),
        ("explain", ("widgets", "tools")),
    ],
    ids=["core", "nn", "explain"],
)
def test_importing_a_layer_loads_nothing_above_it(layer, above):
    modules = [name for name, _ in _package_modules() if _layer(name) == layer and not name.endswith("__main__")]
    assert modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[:2] in [['meia_cnn', a] for a in {above!r}])))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing the {layer} loads {out.stdout.strip()}"


def test_core_nn_and_explain_are_all_held_to_no_widget_or_plotting_library():
    # the modules the two FORBIDDEN tests above read and import: the three lower layers, whole
    layers = {_layer(name) for name, _ in _core_modules()}
    assert layers == {"core", "nn", "explain"}
    assert len(_core_modules()) == len([n for n, _ in _package_modules() if _layer(n) in layers])


@pytest.mark.parametrize(
    "gone, now",
    [
        (
            "meia_cnn.transposed",
            {
                "meia_cnn.ops": ("conv_transpose2d", "zero_insert", "stretched_input"),
                "meia_cnn.arithmetic": ("conv_transpose_output_size",),
            },
        ),
        (
            "meia_cnn.learn_kernel",
            {"meia_cnn.nn.learn_kernel": ("SOBEL_X", "KernelLearning", "learn_kernel", "loss_and_gradient")},
        ),
    ],
)
def test_moved_modules_are_gone_and_their_names_live_in_their_layer(gone, now):
    parent, _, leaf = gone.rpartition(".")
    assert leaf not in {m.name for m in pkgutil.iter_modules(importlib.import_module(parent).__path__)}
    assert not (ROOT / (gone.replace(".", "/") + ".py")).exists(), f"{gone} still exists"
    for module, names in now.items():
        found = importlib.import_module(module)
        for name in names:
            assert name in found.__all__ and hasattr(found, name), f"{module}.{name}"


def test_the_build_tools_live_outside_the_package():
    """The deck builder and the notebook translator are build steps, not something a kernel imports."""
    assert (ROOT / "tools" / "slides.py").is_file() and (ROOT / "tools" / "translate_notebooks.py").is_file()
    assert not (ROOT / "meia_cnn" / "tools").exists()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["tool"]["setuptools"]["packages"]["find"]["include"] == ["meia_cnn*"]


@pytest.mark.parametrize("path", sorted((ROOT / "meia_cnn").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_in_the_package_imports_the_build_tools(path):
    source = path.read_text()
    assert not re.search(r"^\s*(import|from)\s+tools\b", source, re.M), f"{path} imports tools/"
    assert "meia_cnn.tools" not in source


def test_the_core_without_its_extras_names_the_extra_to_install():
    """With only numpy, the core computes and trains; the explorers and uploads say what to install."""
    code = (
        "import sys\n"
        "for m in ('PIL', 'ipywidgets', 'anywidget', 'traitlets', 'IPython', 'matplotlib', 'tqdm'):\n"
        "    sys.modules[m] = None  # as if not installed\n"
        "import meia_cnn, meia_cnn.widgets\n"
        "from meia_cnn import data, nn\n"
        "for attempt in (lambda: meia_cnn.widgets.ConvolutionExplorer, lambda: data.load_image(b'GIF89a')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ModuleNotFoundError as exc:\n"
        "        print(exc)\n"
        "X, _, y, _ = nn.digits_split()\n"
        "history = nn.reference_model().fit(X[:64], y[:64], epochs=1, seed=0)\n"
        "print(len(history['loss']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "meia_cnn.widgets.ConvolutionExplorer needs ipywidgets, which is not installed: "
        'pip install "meia-cnn[widgets]"',
        'meia_cnn.data.load_image needs Pillow, which is not installed: pip install "meia-cnn[widgets]"',
        "1",
    ]

"""The kit as a hub image has it: installed from its wheel, read-only, used from a student's home.

The wheel is built from this checkout and installed (not editable, no dependencies) into a fresh
virtual environment that sees this environment's packages for the dependencies. Its package folder
is made read-only; a student's home is a temporary folder. `meia-cnn-notebooks` copies the notebooks
there, a notebook runs top to bottom with nbclient, and nothing is written into the installed kit.
"""

import os
import stat
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.subprocess, pytest.mark.notebook]


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("image")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = (tmp / "dist").glob("meia_cnn-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies: this environment's site-packages, after the new one (the kit's own copy wins).
    (site_packages / "zz_dependencies.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_path('purelib')!r})\n"
    )
    # pip (seen through the .pth) run by the new environment's Python: scripts point at it.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--ignore-installed", str(wheel)],
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    package = site_packages / "meia_cnn"
    # Byte-code compiled at install time, as pip does by default in an image.
    subprocess.run([str(python), "-m", "compileall", "-q", str(package)], check=True)
    for path in [package, *package.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "JUPYTER_CONFIG_DIR", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH")
    }
    home = tmp / "home"
    home.mkdir()
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="", JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
    env.pop("PYTHONDONTWRITEBYTECODE")
    yield {"venv": venv, "python": python, "package": package, "home": home, "env": env}
    for path in [package, *package.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_the_installed_kit_is_the_wheel_with_its_jupyter_configuration(image):
    out = subprocess.run(
        [str(image["python"]), "-c", "import meia_cnn, sys; print(meia_cnn.__file__); print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
        env=image["env"],
        cwd=image["home"],
    ).stdout.split()
    assert Path(out[0]).parent == image["package"]
    etc = Path(out[1]) / "etc" / "jupyter"
    assert '"template": "meia"' in (etc / "voila.json").read_text()
    assert "meia_cnn.serving" in (etc / "jupyter_server_config.d" / "meia-cnn.json").read_text()
    assert (Path(out[1]) / "share" / "jupyter" / "voila" / "templates" / "meia" / "index.html.j2").is_file()


def test_a_student_copies_the_notebooks_and_runs_one_with_nothing_written_into_the_kit(image):
    before = _snapshot(image["package"])
    env, home = image["env"], image["home"]
    command = image["venv"] / "bin" / "meia-cnn-notebooks"
    out = subprocess.run([str(command), "--lang", "es"], capture_output=True, text=True, check=True, env=env, cwd=home)
    assert "copied" in out.stdout
    notebook = home / "meia-cnn" / "es" / "04_paso_y_relleno.ipynb"
    assert notebook.is_file() and (home / "meia-cnn" / "es" / "00_indice.ipynb").is_file()
    notebook.write_text(notebook.read_text() + "\n")  # a student's edit ...
    edited = notebook.read_text()
    subprocess.run([str(command), "--lang", "es"], check=True, env=env, cwd=home, capture_output=True)
    assert notebook.read_text() == edited  # ... survives the next start
    run = textwrap.dedent(f"""
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({str(notebook)!r}, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={{"metadata": {{"path": {str(notebook.parent)!r}}}}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, errors
        index = nbformat.read({str(home / "meia-cnn" / "es" / "00_indice.ipynb")!r}, as_version=4)
        NotebookClient(index, timeout=300, kernel_name="python3").execute()
        first = [c for c in index.cells if c.cell_type == "code"][:2]
        printed = [o for c in first for o in c.get("outputs", [])]
        assert printed == [], printed   # the version check is silent: notebooks and kit agree
        print("ran", len(nb.cells), "cells")
    """)
    out = subprocess.run(
        [str(image["python"]), "-c", run], check=False, capture_output=True, text=True, env=env, cwd=home
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ran" in out.stdout
    assert _snapshot(image["package"]) == before, "something was written into the installed kit"

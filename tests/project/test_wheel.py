"""The built wheel, installed with no extras into a fresh venv, runs the README's core examples.

The wheel is built from a copy of the source tree (nothing is written into the
checkout) with this environment's setuptools (``--no-build-isolation``: no
network).  The fresh venv gets the wheel with ``pip install --no-deps`` and
numpy alone: the numpy this environment has, made visible through a folder
that holds nothing else (so no download either).
"""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


def _readme_core_examples():
    """The python blocks of the README's "Using the core from a script" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the core from a script", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the README shows the core in a python block"
    return blocks


def _run(args, **kwargs):
    out = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            ".mypy_cache",
            ".ipynb_checkpoints",
        ),
    )
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(tmp / "dist"),
            str(source),
        ]
    )
    (built,) = (tmp / "dist").glob("meia_cnn-*.whl")
    return built


def test_the_wheel_holds_the_package_data_and_not_the_build_tools(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {
        "meia_cnn/assets/photos.npz",
        "meia_cnn/assets/digits.npz",
        "meia_cnn/assets/digits_cnn.npz",
        "meia_cnn/assets/shapes_dense.npz",
        "meia_cnn/assets/shapes_cnn.npz",
        "meia_cnn/assets/LICENSES.md",
        "meia_cnn/locale/es/LC_MESSAGES/meia_cnn.mo",
    } <= set(names)
    assert {f"meia_cnn/widgets/js/{p.name}" for p in (ROOT / "meia_cnn" / "widgets" / "js").glob("*.js")} <= set(names)
    assert not [n for n in names if n.startswith("tools/") or "/tools/" in n or n.startswith("tests/")]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    assert [r for r in requires if "extra ==" not in r] == ["Requires-Dist: numpy>=1.24"]
    for extra in ("widgets", "course", "slides", "hub", "test"):
        assert f"Provides-Extra: {extra}" in text


def test_the_wheel_with_no_extras_runs_the_readme_core_examples(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)])
    # numpy, and nothing else, from this environment
    only_numpy = tmp_path / "only-numpy"
    only_numpy.mkdir()
    numpy_dir = Path(np.__file__).resolve().parent
    for entry in [numpy_dir, *numpy_dir.parent.glob("numpy.libs"), *numpy_dir.parent.glob("numpy-*.dist-info")]:
        (only_numpy / entry.name).symlink_to(entry)
    venv_site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    (venv_site / "only-numpy.pth").write_text(str(only_numpy) + "\n")

    check = "\n".join(
        [
            *_readme_core_examples(),
            "import sys, meia_cnn",
            "from meia_cnn import data, nn",
            f"assert meia_cnn.__file__.startswith({str(venv_site)!r}), meia_cnn.__file__",
            "assert data.sample_image('astronaut', size=64).shape == (64, 64, 3)",
            "assert data.digits()[0].shape == (1797, 8, 8, 1)",
            "assert nn.load_reference().n_params > 0",
            "meia_cnn.set_language('es')",
            "try:",
            "    data.load_image(b'GIF89a')",
            "except ModuleNotFoundError as exc:",
            "    assert 'pip install \"meia-cnn[widgets]\"' in str(exc), exc",
            "else:",
            "    raise AssertionError('Pillow should be missing')",
            "extras = sorted({m.split('.')[0] for m in sys.modules} & {'ipywidgets', 'matplotlib', 'PIL', 'skimage',",
            "                                                          'sklearn', 'scipy', 'IPython', 'tqdm'})",
            "print('ok', extras)",
        ]
    )
    out = _run([str(python), "-I", "-c", check], cwd=tmp_path)
    assert out.stdout.strip().splitlines()[-1] == "ok []"

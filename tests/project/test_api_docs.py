"""`make docs`: the API reference pages are generated from the docstrings, offline."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess  # pdoc builds the reference in another process


def _doc_modules():
    match = re.search(r"^DOC_MODULES := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "the Makefile lists the documented modules in DOC_MODULES"
    return match.group(1).split()


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    subprocess.run(
        [sys.executable, "-m", "pdoc", "--docformat", "numpy", "-o", str(out), *_doc_modules()],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def test_every_public_module_is_listed():
    modules = _doc_modules()
    for name in (
        "meia_cnn",
        "meia_cnn.arithmetic",
        "meia_cnn.ops",
        "meia_cnn.data",
        "meia_cnn.architectures",
        "meia_cnn.nn",
        "meia_cnn.nn.learn_kernel",
        "meia_cnn.exercises",
        "meia_cnn.widgets",
    ):
        assert name in modules


def test_a_page_per_public_module(docs):
    for name in _doc_modules():
        page = docs / (name.replace(".", "/") + ".html")
        assert page.is_file(), f"no page for {name}"
    assert (docs / "index.html").is_file()


def test_pages_show_the_docstrings(docs):
    ops = (docs / "meia_cnn" / "ops.html").read_text()
    assert "conv2d" in ops and "convolve2d" in ops and "MAX_ELEMENTS" in ops
    assert "What a convolution layer computes" in ops  # conv2d's summary line
    assert "Parameters" in ops and "Examples" in ops
    arithmetic = (docs / "meia_cnn" / "arithmetic.html").read_text()
    assert "output_size" in arithmetic and "equation (3)" in arithmetic
    assert "conv_transpose2d" in ops and "zero_insert" in ops and "stretched_input" in ops
    assert "conv_transpose_output_size" in arithmetic
    learning = (docs / "meia_cnn" / "nn" / "learn_kernel.html").read_text()
    assert "loss_and_gradient" in learning and "Conv2D" in learning
    data = (docs / "meia_cnn" / "data.html").read_text()
    assert "load_image" in data and "min_size" in data and "shapes" in data


def test_pages_load_nothing_from_the_network(docs):
    for page in docs.rglob("*.html"):
        html = page.read_text()
        assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", html), page.name

"""The notebooks' explorers, built as the notebooks build them, driven through their controls.

The checks that used to sit in a last notebook cell live here: every explorer
a notebook builds with literal arguments is built with the same arguments,
its controls are moved the way the lecture moves them, and what it writes is
compared with the core.  Only ``.controls``, the readout text and ``error``
(the explorers' common contract) are used.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

import meia_cnn as mc
import meia_cnn.widgets as mw
from meia_cnn import architectures as arch

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_BUILD = re.compile(r"^(?P<var>\w+) = (?P<cls>\w+Explorer)\((?P<args>.*)\)$", re.M)


def _built(name):
    """``{variable: (class name, args, kwargs)}`` of the explorers a notebook builds with literals."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for match in _BUILD.finditer(cell.source):
            call = ast.parse(f"f({match.group('args')})", mode="eval").body
            try:
                args = [ast.literal_eval(a) for a in call.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            except ValueError:
                continue                        # built from the notebook's own data (07)
            found[match.group("var")] = (match.group("cls"), args, kwargs)
    return found


@pytest.fixture
def build():
    made = []

    def make(notebook, var):
        cls, args, kwargs = _built(notebook)[var]
        viz = getattr(mw, cls)(*args, **kwargs)
        made.append(viz)
        return viz

    yield make
    for viz in made:
        viz.close()


def _drive(viz, **values):
    for control, value in values.items():
        viz.controls[control].value = value
        assert viz.error == "", (control, value, viz.error)


def test_every_notebook_explorer_is_known():
    built = {var: spec[0] for name in sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
             for var, spec in _built(name).items()}
    assert set(built.values()) <= set(mw._EXPLORERS)
    assert {"sharing", "matching", "conv", "photo", "volume", "sp", "pool", "ones", "inception",
            "explorer", "trainer"} <= set(built)


def test_01_sharing_a_larger_input_leaves_the_convolution_count(build):
    sharing = build("01_position_invariance.ipynb", "sharing")
    conv = f"{mc.conv_params(3, 16, 3):,}"
    assert conv in sharing.readout_text
    _drive(sharing, input_size=64)
    assert conv in sharing.readout_text
    assert f"{mc.dense_params(64 * 64 * 3, 62 * 62 * 16):,}" in sharing.readout_text


def test_01_template_matching_moves_with_the_object(build):
    matching = build("01_position_invariance.ipynb", "matching")
    column = matching.controls["column"]
    before = matching.readout_text
    _drive(matching, column=column.value + 10)
    assert matching.readout_text != before


@pytest.mark.parametrize("var", ["conv", "photo"])
def test_02_convolution_steps_and_operations(build, var):
    conv = build("02_convolution.ipynb", var)
    if "step" in conv.controls:
        _drive(conv, step=3)
    _drive(conv, operation="cross-correlation")
    _drive(conv, operation="convolution")


def test_03_the_feature_maps_depth_follows_the_number_of_kernels(build):
    volume = build("03_volumes_and_feature_maps.ipynb", "volume")
    _drive(volume, filters=5)
    assert "5" in volume.readout_text


@pytest.mark.parametrize("notebook,padding,stride", [
    ("04_stride_and_padding.ipynb", "valid", 2),
    ("09_in_class_exercises.ipynb", "same", 2),
])
def test_04_and_09_stride_and_padding_give_equation_3(build, notebook, padding, stride):
    sp = build(notebook, "sp")
    _drive(sp, padding=padding, stride=stride)
    size = sp.controls["input_size"].value if "input_size" in sp.controls else _built(notebook)["sp"][2]["input_size"]
    kernel = sp.controls["kernel_size"].value if "kernel_size" in sp.controls else 3
    assert str(mc.output_size(size, kernel, stride=stride, padding=padding)) in sp.readout_text


def test_05_pooling_window_and_kind(build):
    pool = build("05_pooling.ipynb", "pool")
    _drive(pool, size=3)
    _drive(pool, pooling="average")
    _drive(pool, pooling="max", size=2)


def test_06_inception_depth_is_the_sum_of_the_branches(build):
    inception = build("06_one_by_one_and_inception.ipynb", "inception")
    _drive(inception, n1x1=128)
    depth = mc.inception_cost((28, 28, 192), 128, 96, 128, 16, 32, 32)["output_shape"][2]
    assert str(depth) in inception.readout_text


def test_06_one_by_one_filters(build):
    ones = build("06_one_by_one_and_inception.ipynb", "ones")
    _drive(ones, filters=4)


def test_08_the_architecture_table_is_the_core_summary(build):
    explorer = build("08_architectures.ipynb", "explorer")
    _drive(explorer, name="vgg16")
    assert f"{arch.summary('vgg16').total_params:,}" in explorer.readout_text

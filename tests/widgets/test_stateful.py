"""Whatever a class does to an explorer, it answers with its numbers or with a sentence.

A hypothesis state machine per explorer (every one of ``meia_cnn.widgets``)
moves its controls at random, sets values no control offers (``None``, -1,
10**9, "x", NaN, ...), types hostile text in its text boxes and sends hostile
files through its upload button the way the page does (a custom message with
the bytes as a buffer).  After every step:

- no exception escaped (nothing here is wrapped: a callback exception would
  fail the test), and no "Something went wrong" sentence, which is what the
  explorer says when one of its callbacks failed unexpectedly;
- either the drawing shows a notice and ``.state`` is the last good one, or
  ``.state`` is what the core computes for the current controls (recomputed,
  and a few key numbers checked against ``meia_cnn.arithmetic`` / ``ops``);
- the step slider, the view's step and the readout agree.

Runs are derandomized (fixed examples, no example database), so CI sees the
same sequences every time.  Explorers still drawn with ipympl
(``meia_cnn.widgets._base``) are skipped.
"""

from __future__ import annotations

import dataclasses
import io
import re
import traceback
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest
import traitlets
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from PIL import Image

import meia_cnn.widgets as mw
from meia_cnn import arithmetic, ops
from meia_cnn.kernels import parse_kernel
from meia_cnn.widgets import _explorer

from ..conftest import _huge_png_header
from ..core.test_uploads import gif_bomb
from ..driving import control_values

EXPLORERS = sorted(mw._EXPLORERS)
PACKAGE = Path(mw.__file__).resolve().parents[1]

#: Examples (fresh explorers) and steps per example: 13 explorers x 4 x 20 steps in about 30 s.
#: No shrinking: the failing sequence is printed as it was found (shrinking one costs minutes).
SETTINGS = settings(
    max_examples=4,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

HOSTILE_VALUES = (None, -1, 10**9, "x", float("nan"), float("inf"), 2.5, True, (), ("x",), object())

HOSTILE_TEXTS = (
    "1e308",
    "1e308 1e308 1e308\n1e308 1e308 1e308\n1e308 1e308 1e308",
    "-1e309",
    "1" * 40_000 + "x",
    "9" * 400,
    "x" * 100_000,
    "1 " * 50_000,
    "[" * 10_000 + "1" + "]" * 10_000,
    "[[1, 2], [3, [4]]]",
    "((((1))))",
    "١ ٢ ٣\n٤ ٥ ٦\n٧ ٨ ٩",
    "１ ２ ３\n４ ５ ６\n７ ８ ９",
    "½ 0 0\n0 0 0\n0 0 0",
    "nan nan nan\nnan nan nan\nnan nan nan",
    "inf 0 0\n0 0 0\n0 0 0",
    "1/0 0 0\n0 0 0\n0 0 0",
    "",
    " ",
    "\x00",
    "\u202e1 2 3",
    "__import__('os')",
    "1 2\n3",
    "0 " * 3 + "\n" * 5000,
)

GOOD_TEXTS = (
    "0 0 0\n0 1 0\n0 0 0",
    "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9",
    "1 2 1\n0 0 0\n-1 -2 -1",
    "\n".join(["1 1 1 1 1"] * 5),
    "0.5 -0.25 0\n0 1 0\n0 0 -1",
)

# Python internals a student must never read in a message.
INTERNALS = re.compile(r"Traceback|object at 0x|\b[A-Z][a-zA-Z]*(Error|Exception)\b|<class |\bself\b|kwargs")


def _png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png")
    return buffer.getvalue()


def _files():
    rng = np.random.default_rng(13)
    good = _png((rng.random((48, 64, 3)) * 255).astype(np.uint8))
    return {
        "photo.png": good,
        "grey.png": _png((rng.random((40, 40)) * 255).astype(np.uint8)),
        "bomb.gif": gif_bomb(side=3000, frames=60),
        "truncated.png": good[: len(good) // 2],
        "notes.txt": b"these are my notes, not a picture\n" * 20,
        "empty.png": b"",
        "strip.png": _png(np.zeros((10_000, 3), np.uint8)),
        "huge-header.png": _huge_png_header(),
        "random.jpg": rng.integers(0, 256, 2048, dtype=np.uint8).tobytes(),
        "<script>alert(1)</script>.png": good,
    }


FILES = _files()


def _kind(control):
    if isinstance(control, (widgets.Button, widgets.Play)):
        return None
    if isinstance(control, (_explorer.Upload, widgets.FileUpload)):
        return "upload"
    if isinstance(control, (widgets.Text, widgets.Textarea)):
        return "text"
    return "value"


def same_numbers(a, b, path="state"):
    """Assert that two core results hold the same numbers (arrays, dataclasses, containers)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for field in dataclasses.fields(a):
            same_numbers(getattr(a, field.name), getattr(b, field.name), f"{path}.{field.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape, path
        if a.dtype.kind in "fc":
            assert np.array_equal(a, b, equal_nan=True), path
        else:
            assert np.array_equal(a, b), path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            same_numbers(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same_numbers(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


# -- a few key numbers straight from the core, per explorer ------------------------------
def _stride_padding(viz, s):
    c = viz.controls
    assert (s.input_size, s.kernel_size, s.stride, s.dilation) == tuple(
        c[n].value for n in ("input_size", "kernel_size", "stride", "dilation")
    )
    mode = c["padding"].value
    assert s.padding == (c["pad"].value if mode == "number" else mode)
    # the per-side pads of both axes: the answer is (rows, columns) of a square output
    assert (s.output_size, s.output_size) == arithmetic.output_size(
        s.input_size, s.kernel_size, stride=s.stride, padding=s.pads, dilation=s.dilation
    )


def _pooling(viz, s):
    c = viz.controls
    assert (s.pooling, s.size, s.stride) == (c["pooling"].value, c["size"].value, c["stride"].value)
    pool = ops.max_pool2d if s.pooling == "max" else ops.avg_pool2d
    np.testing.assert_allclose(s.output, pool(s.input, s.size, stride=s.stride))


def _convolution(viz, s):
    g = viz.state.grid
    assert g.flip == (viz.controls["operation"].value == "convolution")
    if not viz._text_error:
        np.testing.assert_array_equal(g.kernel, parse_kernel(viz.controls["kernel_text"].value))
    # convolution flips the kernel; cross-correlation is the convolution with the flipped kernel
    kernel = g.kernel if g.flip else g.kernel[::-1, ::-1]
    expected = ops.convolve2d(g.image, kernel, mode="valid")
    np.testing.assert_allclose(g.output, expected, atol=1e-9)


def _sharing(viz, s):
    c = viz.controls
    assert (s.input_size, s.channels, s.kernel_size, s.filters) == tuple(
        c[n].value for n in ("input_size", "channels", "kernel_size", "filters")
    )
    assert s.conv_params == arithmetic.conv_params(s.channels, s.filters, s.kernel_size)


def _one_by_one(viz, s):
    c = viz.controls
    assert s.input.shape[-1] == c["channels"].value and s.weights.shape == (c["channels"].value, c["filters"].value)
    np.testing.assert_allclose(s.output, np.einsum("hwc,cf->hwf", s.input, s.weights), atol=1e-9)
    assert s.value == pytest.approx(s.output[s.row, s.col, s.kernel])


CORE_CHECKS = {
    "StridePaddingExplorer": _stride_padding,
    "PoolingExplorer": _pooling,
    "ConvolutionExplorer": _convolution,
    "ParameterSharingExplorer": _sharing,
    "OneByOneExplorer": _one_by_one,
}


def machine_for(name):
    """The state machine of one explorer class."""

    class ExplorerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.viz = getattr(mw, name)()
            self.by_kind = {"value": [], "text": [], "upload": []}
            for key, control in self.viz.controls.items():
                kind = _kind(control)
                if kind is not None and key not in ("step",):
                    self.by_kind[kind].append(key)
            self.good = self.viz.state
            self.version = self.viz.view.version

        def teardown(self):
            self.viz.close()

        def _set(self, key, value):
            """Set a control as a page or a notebook would; a value the control refuses changes nothing."""
            control = self.viz.controls[key]
            try:
                control.value = value
            except (traitlets.TraitError, TypeError, ValueError) as exc:
                # refused by the control itself (traitlets' validation, or ipywidgets keeping a
                # selection's index in step: a TypeError for a tuple, a TraitError for None on a
                # SelectionSlider); never raised by the kit's code
                frames = [f.filename for f in traceback.extract_tb(exc.__traceback__)]
                assert not any(PACKAGE in Path(f).parents for f in frames), "".join(traceback.format_exception(exc))

        # -- rules ----------------------------------------------------------------------------
        @precondition(lambda self: self.by_kind["value"])
        @rule(data=st.data())
        def move_a_control(self, data):
            key = data.draw(st.sampled_from(self.by_kind["value"]), label="control")
            values = control_values(self.viz.controls[key], n=6) or [self.viz.controls[key].value]
            self._set(key, data.draw(st.sampled_from(values), label="value"))

        @precondition(lambda self: self.by_kind["value"])
        @rule(data=st.data())
        def set_a_value_no_control_offers(self, data):
            key = data.draw(st.sampled_from(self.by_kind["value"]), label="control")
            self._set(key, data.draw(st.sampled_from(HOSTILE_VALUES), label="value"))

        @precondition(lambda self: self.by_kind["text"])
        @rule(data=st.data())
        def type_text(self, data):
            key = data.draw(st.sampled_from(self.by_kind["text"]), label="text box")
            text = data.draw(st.sampled_from(HOSTILE_TEXTS + GOOD_TEXTS) | st.text(max_size=30), label="text")
            self._set(key, text)

        @precondition(lambda self: self.by_kind["upload"])
        @rule(data=st.data())
        def upload_a_file(self, data):
            key = data.draw(st.sampled_from(self.by_kind["upload"]), label="upload")
            name = data.draw(st.sampled_from(sorted(FILES)), label="file")
            control = self.viz.controls[key]
            if isinstance(control, _explorer.Upload):  # the page's message, bytes as a buffer
                control._handle_custom_msg(
                    {"kind": "file", "name": name, "type": "image/png"}, [memoryview(FILES[name])]
                )
            else:
                control.value = (
                    {"name": name, "type": "image/png", "size": len(FILES[name]), "content": memoryview(FILES[name])},
                )

        @precondition(
            lambda self: any(isinstance(self.viz.controls[k], _explorer.Upload) for k in self.by_kind["upload"])
        )
        @rule()
        def page_refuses_a_large_file(self):
            key = next(k for k in self.by_kind["upload"] if isinstance(self.viz.controls[k], _explorer.Upload))
            self.viz.controls[key]._handle_custom_msg(
                {"kind": "refused", "sentence": "big.png is 40 MB: files up to 8 MB can be sent."}, []
            )
            assert "8 MB" in self.viz.error

        @precondition(lambda self: "step" in self.viz.controls)
        @rule(data=st.data())
        def move_the_step(self, data):
            slider = self.viz.controls["step"]
            version = self.viz.view.version
            index = data.draw(st.integers(0, len(slider.options) - 1), label="step")
            slider.index = index
            assert self.viz.view.step == index
            assert self.viz.view.version == version, "a step is drawn in the page, without Python"

        # -- after every step ---------------------------------------------------------------------
        @invariant()
        def answers_or_says_why(self):
            viz = self.viz
            said = viz.error
            assert "Something went wrong" not in said, said
            assert not INTERNALS.search(said), said
            # what a student typed or uploaded reaches the page's HTML escaped (labels are set as text)
            assert "<script" not in viz.message.value and "<script" not in viz.readout_html
            if viz.view.notice:
                assert viz.state is self.good, "a failed update keeps the last good state"
                return
            # the drawing shows the state the core computes for the controls as they are now
            assert viz.state is not None
            same_numbers(viz._compute(), viz.state)
            check = CORE_CHECKS.get(name)
            if check is not None:
                check(viz, viz.state)
            assert viz.readout_text
            steps = viz.view.scene.get("steps") or []
            if "step" in viz.controls:
                slider = viz.controls["step"]
                n = max(len(steps), 1)
                assert len(slider.options) == n and 0 <= viz.step < n
                assert slider.index == viz.view.step
            self.good = viz.state

    ExplorerMachine.__name__ = f"{name}Machine"
    return ExplorerMachine


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_survives_a_class(name):
    cls = getattr(mw, name)
    if not issubclass(cls, _explorer.Explorer):
        pytest.skip(f"{name} is still drawn with ipympl (meia_cnn.widgets._base)")
    run_state_machine_as_test(machine_for(name), settings=SETTINGS)


def test_hostile_files_are_what_they_claim():
    """The files above are the hostile kinds named in the module docstring."""
    assert len(FILES["bomb.gif"]) < 40_000
    with Image.open(io.BytesIO(FILES["strip.png"])) as strip:
        assert strip.size == (3, 10_000)
    assert FILES["empty.png"] == b"" and FILES["truncated.png"].startswith(b"\x89PNG")

"""LearnKernelExplorer: every control through its range, the drawing's numbers against the run."""

import io

import numpy as np
import pytest
from PIL import Image

from meia_cnn.explain.learn_kernel import learn_kernel_state
from meia_cnn.nn.learn_kernel import SOBEL_X
from meia_cnn.widgets import LearnKernelExplorer
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets.learn_kernel import LEARNING_RATES, SEEDS


@pytest.fixture
def viz():
    explorer = LearnKernelExplorer()
    yield explorer
    explorer.close()


def _png_shape(data):
    return np.asarray(Image.open(io.BytesIO(bytes(data)))).shape[:2]


def _check(viz):
    rate, seed = viz.controls["learning_rate"].value, viz.controls["seed"].value
    expected = learn_kernel_state(learning_rate=rate, steps=50, seed=seed)
    state = viz.state
    np.testing.assert_array_equal(state.kernels, expected.kernels)
    np.testing.assert_array_equal(state.losses, expected.losses)
    scene = viz.view.scene
    n = expected.run.steps + 1
    assert len(scene["steps"]) == n == len(viz.controls["step"].options)
    for t in (0, n // 2, n - 1):
        assert scene["steps"][t]["labels"] == [[format_number(v, 2) for v in row] for row in expected.kernels[t]]
        assert scene["steps"][t]["point"] == [t, pytest.approx(float(expected.log_losses[t]))]
        assert expected.texts[t] in scene["steps"][t]["readout"]
    assert scene["kernel"]["true_labels"] == [[format_number(v) for v in row] for row in SOBEL_X]
    assert [p[1] for p in scene["loss"]["points"]] == pytest.approx(list(expected.log_losses))
    # pictures: one strip of every step's filtered image, and the target
    h, w = expected.target.shape
    assert _png_shape(viz.view.outputs) == (n * h, w)
    assert _png_shape(viz.view.target) == (h, w)
    assert viz.view.step == viz.controls["step"].index
    assert viz.controls["step"].label == f"{viz.step} of {n - 1}"  # as the readout: "Step k of 50"
    assert f"learning rate η = {rate:g}, seed {seed}" in viz.readout_text
    assert f"Step {viz.step} of 50" in viz.readout_text


def test_default_recovers_sobel(viz):
    _check(viz)
    assert viz.step == 0 and "a random kernel to start with" in viz.readout_text
    viz.controls["step"].index = 50
    np.testing.assert_allclose(viz.state.kernels[viz.step], SOBEL_X, atol=1e-3)
    assert viz.readout_text.endswith("of the Sobel kernel's: found.")
    assert viz.state.losses[viz.step] < 1e-6


def test_stepping_and_play_are_resolved_without_python(viz):
    version, state = viz.view.version, viz.state
    for index in range(51):
        viz.controls["step"].index = index
        assert viz.view.step == index
        np.testing.assert_array_equal(viz.state.kernels[viz.step], state.kernels[index])
        assert state.texts[index] in viz.readout_text
    viz.controls["play"].value = 7
    assert viz.controls["step"].index == 7 == viz.view.step
    assert viz.view.version == version and viz.state is state


def test_every_learning_rate(viz):
    viz.controls["step"].index = 20
    for rate in LEARNING_RATES:
        version = viz.view.version
        changed = viz.controls["learning_rate"].value != rate
        viz.controls["learning_rate"].value = rate
        assert viz.view.version == version + changed
        assert viz.error == ""
        _check(viz)
        assert viz.step == 20, "the step is kept"
    # the too-large rate says so; the smaller ones reach Sobel within 50 steps from 0.1 up
    viz.controls["learning_rate"].value = 1.1
    viz.controls["step"].index = 50
    assert "Try a smaller learning rate" in viz.readout_text
    viz.controls["learning_rate"].value = 0.2
    assert viz.readout_text.endswith("found.")


def test_every_seed(viz):
    kernels = set()
    for seed in range(SEEDS[0], SEEDS[1] + 1):
        viz.controls["seed"].value = seed
        _check(viz)
        kernels.add(viz.state.kernels[0].tobytes())
        np.testing.assert_allclose(viz.state.kernels[-1], SOBEL_X, atol=1e-3)
    assert len(kernels) == SEEDS[1] - SEEDS[0] + 1, "each seed starts from its own kernel"


def test_pictures_are_sent_only_when_they_change(viz):
    first = viz.view.outputs
    viz.controls["learning_rate"].value = 0.2
    assert viz.view.outputs != first
    again = viz.view.outputs
    viz.controls["step"].index = 4
    assert viz.view.outputs is again


@pytest.mark.parametrize("bad", [None, -1, 10**9, "x", 0.3])
def test_values_from_code_outside_the_options_never_raise(viz, bad):
    for name in ("learning_rate", "seed"):
        try:
            viz.controls[name].value = bad
        except Exception:  # noqa: BLE001 - the control itself refused it
            continue
        assert viz.error or viz.readout_text


def test_constructor_arguments():
    viz = LearnKernelExplorer(learning_rate=0.5, seed=3, steps=10)
    try:
        assert len(viz.view.scene["steps"]) == 11
        assert viz.controls["seed"].value == 3
    finally:
        viz.close()
    with pytest.raises(ValueError, match=r"`learning_rate` must be one of"):
        LearnKernelExplorer(learning_rate=0.3)
    with pytest.raises(ValueError, match=r"`seed` must be between 0 and 9 here, got 10"):
        LearnKernelExplorer(seed=10)
    with pytest.raises(ValueError, match=r"`steps` must be an int from 1 to 200, got 0"):
        LearnKernelExplorer(steps=0)


def test_close_frees_every_widget():
    viz = LearnKernelExplorer()
    owned = [viz.view, viz.message, *viz.controls.values()]
    viz.close()
    assert all(w.comm is None for w in owned) and viz.comm is None

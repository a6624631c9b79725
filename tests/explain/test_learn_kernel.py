"""The learn-a-kernel explorer's numbers, checked against the run and scipy."""

import numpy as np
import pytest
from scipy import signal

from meia_cnn.explain.learn_kernel import FLOOR_DECADES, FOUND, learn_kernel_state
from meia_cnn.nn.learn_kernel import SOBEL_X


def test_learn_kernel_state_follows_the_run():
    state = learn_kernel_state(learning_rate=0.1, steps=50, seed=0)
    assert len(state.texts) == 51 == state.kernels.shape[0]
    np.testing.assert_allclose(state.log_losses, np.log10(state.losses))  # no loss reaches 0 at this rate
    np.testing.assert_allclose(state.kernels[-1], SOBEL_X, atol=1e-3)
    # the pictures: the first image filtered with each step's kernel, and with Sobel
    for t in (0, 10, 50):
        np.testing.assert_allclose(
            state.predictions[t], signal.correlate2d(state.run.images[0], state.kernels[t], mode="valid")
        )
    np.testing.assert_allclose(state.target, signal.correlate2d(state.run.images[0], SOBEL_X, mode="valid"))
    # found: the first step within FOUND of every number
    errors = np.abs(state.kernels - SOBEL_X).max(axis=(1, 2))
    assert state.found_at == int(np.argmax(errors < FOUND)) and errors[state.found_at - 1] >= FOUND
    assert state.texts[0].startswith("Step 0 of 50: a random kernel")
    assert state.texts[-1].endswith("of the Sobel kernel's: found.")
    assert "K ← K − η·∂L/∂K with η = 0.1" in state.texts[5]


def test_a_loss_of_zero_is_drawn_at_the_floor():
    state = learn_kernel_state(learning_rate=0.5, steps=50, seed=0)
    floor = np.log10(state.losses[0]) - FLOOR_DECADES
    assert state.losses.min() < 10**floor, "at 0.5 the loss falls to 0 (or nearly): one step to Sobel"
    np.testing.assert_allclose(state.log_losses, np.log10(np.maximum(state.losses, 10**floor)))
    assert np.isfinite(state.log_losses).all() and state.log_losses.min() == pytest.approx(floor)


def test_learn_kernel_state_says_when_the_rate_is_too_large():
    state = learn_kernel_state(learning_rate=1.5, steps=20)
    assert state.found_at is None
    assert "larger than at the start" in state.texts[-1] and "Try a smaller learning rate" in state.texts[-1]
    diverged = learn_kernel_state(learning_rate=2.0, steps=500)
    assert diverged.run.diverged and len(diverged.texts) == diverged.run.steps + 1 < 501
    assert "too large" in diverged.texts[-1] and np.isfinite(diverged.log_losses).all()

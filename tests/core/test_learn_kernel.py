"""Gradient descent recovers a known kernel from input/output pairs."""

import numpy as np
import pytest
from scipy import signal

from meia_cnn.nn.learn_kernel import SOBEL_X, KernelLearning, learn_kernel, loss_and_gradient


def test_sobel_is_the_textbook_kernel():
    # Sobel x: a vertical-edge detector, [1 2 1]^T times [-1 0 1].
    np.testing.assert_array_equal(SOBEL_X, np.outer([1, 2, 1], [-1, 0, 1]))


def test_recovers_sobel_within_1e_3():
    run = learn_kernel(steps=50, learning_rate=0.1, seed=0)
    assert isinstance(run, KernelLearning)
    assert run.steps == 50 and not run.diverged
    assert run.errors[0] > 0.5  # it starts far away ...
    np.testing.assert_allclose(run.kernel, SOBEL_X, atol=1e-3)  # ... and ends there
    assert run.errors[-1] < 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_loss_decreases_at_every_step(seed):
    run = learn_kernel(steps=30, learning_rate=0.1, seed=seed)
    assert np.all(np.diff(run.losses) < 0)
    assert run.losses[-1] < 1e-3 * run.losses[0]


def test_recovers_another_kernel():
    truth = np.array([[0.0, 1.0], [-1.0, 0.5]])
    run = learn_kernel(truth, steps=80, learning_rate=0.1, samples=4, image_size=10, seed=7)
    np.testing.assert_allclose(run.kernel, truth, atol=1e-3)
    assert run.kernels.shape == (81, 2, 2)
    assert run.targets.shape == (4, 9, 9)


def test_targets_are_the_images_filtered_by_the_true_kernel():
    run = learn_kernel(steps=0, samples=3, image_size=7, seed=2)
    assert run.steps == 0 and run.kernels.shape == (1, 3, 3) and run.losses.shape == (1,)
    for img, target in zip(run.images, run.targets):
        np.testing.assert_allclose(target, signal.correlate2d(img, SOBEL_X, mode="valid"), atol=1e-12)
    # the first loss is the mean squared error of the starting kernel, by scipy
    preds = np.stack([signal.correlate2d(img, run.kernels[0], mode="valid") for img in run.images])
    assert run.losses[0] == pytest.approx(np.mean((preds - run.targets) ** 2), rel=1e-12)


def test_each_step_moves_against_the_gradient():
    run = learn_kernel(steps=3, learning_rate=0.05, seed=4)
    for t in range(3):
        _, grad = loss_and_gradient(run.images, run.targets, run.kernels[t])
        np.testing.assert_allclose(run.kernels[t + 1], run.kernels[t] - 0.05 * grad, atol=1e-14)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 6, 5))
    k = rng.standard_normal((3, 2))
    y = rng.standard_normal((3, 4, 4))
    loss, grad = loss_and_gradient(x, y, k)
    eps = 1e-6
    numeric = np.zeros_like(k)
    for u in range(k.shape[0]):
        for v in range(k.shape[1]):
            e = np.zeros_like(k)
            e[u, v] = eps
            numeric[u, v] = (loss_and_gradient(x, y, k + e)[0] - loss_and_gradient(x, y, k - e)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    assert loss == pytest.approx(np.mean((np.stack([signal.correlate2d(a, k, mode="valid") for a in x]) - y) ** 2))


def test_deterministic_from_seed():
    a, b = learn_kernel(steps=5, seed=3), learn_kernel(steps=5, seed=3)
    np.testing.assert_array_equal(a.kernels, b.kernels)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.images, b.images)
    c = learn_kernel(steps=5, seed=4)
    assert not np.array_equal(a.kernels[0], c.kernels[0])
    assert not np.array_equal(a.images, c.images)


def test_too_large_a_learning_rate_makes_the_loss_grow():
    run = learn_kernel(steps=20, learning_rate=1.5, seed=0)
    assert run.losses[-1] > run.losses[0] * 1e6


def test_divergence_stops_the_run():
    run = learn_kernel(steps=10_000, learning_rate=2.0, seed=0)
    assert run.diverged
    assert run.steps < 10_000
    assert np.isfinite(run.losses).all() and run.losses[-1] > 1e100


def test_results_are_read_only():
    run = learn_kernel(steps=2)
    with pytest.raises(ValueError, match="read-only"):
        run.kernels[0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        run.seed = 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_follows_the_kernel(dtype):
    run = learn_kernel(SOBEL_X.astype(dtype), steps=3)
    assert run.kernels.dtype == dtype and run.images.dtype == dtype and run.losses.dtype == dtype


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"steps": -1}, ValueError, r"`steps` must be an int from 0 to 10000, got -1"),
        ({"steps": 2.5}, ValueError, r"`steps` must be an int from 0 to 10000, got 2.5"),
        ({"learning_rate": 0}, ValueError, r"`learning_rate` must be > 0 and <= 2, got 0"),
        ({"learning_rate": 3.0}, ValueError, r"`learning_rate` must be > 0 and <= 2, got 3.0"),
        ({"learning_rate": float("nan")}, ValueError, r"`learning_rate` must be > 0 and <= 2, got nan"),
        ({"learning_rate": "fast"}, TypeError, r"`learning_rate` must be a number, got 'fast'"),
        ({"samples": 0}, ValueError, r"`samples` must be an int >= 1, got 0"),
        ({"image_size": 2}, ValueError, r"`image_size` must be an int at least the kernel's size 3, got 2"),
        ({"seed": "a"}, TypeError, r"`seed` must be an int, got 'a'"),
        ({"true_kernel": np.ones(3)}, ValueError, r"`true_kernel` must be 2-D \(H, W\)"),
    ],
)
def test_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        learn_kernel(**kwargs)


def test_loss_and_gradient_errors():
    x = np.zeros((2, 5, 5))
    with pytest.raises(ValueError, match=r"`targets` must have shape \(2, 3, 3\)"):
        loss_and_gradient(x, np.zeros((2, 4, 4)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"`kernel` of shape \(6, 6\) is larger than the images \(5, 5\)"):
        loss_and_gradient(x, np.zeros((2, 0, 0)), np.zeros((6, 6)))


def test_the_gradient_is_conv2d_backwards(monkeypatch):
    # one code path for the convolution's gradient: a one-filter Conv2D's forward and backward
    from meia_cnn.nn import Conv2D

    calls = []
    backward = Conv2D.backward

    def counted(self, grad_out):
        calls.append((self.in_channels, self.filters, np.shape(grad_out)))
        return backward(self, grad_out)

    monkeypatch.setattr(Conv2D, "backward", counted)
    run = learn_kernel(steps=3, samples=2, image_size=6)
    assert calls == [(1, 1, (2, 4, 4, 1))] * 4  # the first kernel and one per step
    x = np.random.default_rng(5).standard_normal((2, 5, 5))
    layer = Conv2D(1, 1, 3, dtype=np.float64)
    layer.params["W"][:, :, 0, 0] = SOBEL_X
    errors = layer.forward(x[..., None]) - run.targets[:, :3, :3, None]
    layer.backward(2.0 / errors.size * errors)
    _, grad = loss_and_gradient(x, run.targets[:, :3, :3], SOBEL_X)
    np.testing.assert_array_equal(grad, layer.grads["W"][:, :, 0, 0])

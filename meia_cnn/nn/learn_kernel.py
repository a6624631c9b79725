"""Learning a kernel: gradient descent finds an edge detector from examples.

A convolution layer is not told its kernels: it learns them.  This module
shows it on the smallest case there is.  Filter some random images with a
known kernel (the Sobel edge detector by default) to get input/output
pairs; start from a random kernel; and let gradient descent reduce the mean
squared error between ``conv2d(image, kernel)`` and the wanted output.  The
kernel's numbers walk to the hidden kernel's.

The loss over ``M`` output pixels and its gradient::

    L(K) = 1/M  sum_(n, i, j) (conv2d(X_n, K)[i, j] - Y_n[i, j])^2
    dL/dK[u, v] = 2/M  sum_(n, i, j) r_n[i, j] X_n[i + u, j + v]

where ``r = conv2d(X, K) - Y`` is the error: the gradient is itself a
cross-correlation, of the inputs with the errors.  It is computed by the
same code that trains a network: the kernel is the weight of a
one-channel, one-filter :class:`~meia_cnn.nn.Conv2D` (its bias held at
zero), whose ``forward`` gives the predictions and whose ``backward``,
given ``dL/dy = 2 r / M``, gives ``dL/dK``.

>>> run = learn_kernel(steps=50)
>>> bool(np.abs(run.kernel - SOBEL_X).max() < 1e-3)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, as_int, as_real, check_elements, is_int
from ..ops import conv2d
from .layers import Conv2D

__all__ = ["SOBEL_X", "KernelLearning", "learn_kernel", "loss_and_gradient"]

#: The Sobel kernel that responds to vertical edges (a change from left to right).
SOBEL_X: NDArray[np.float64] = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SOBEL_X.flags.writeable = False

#: Above this loss the run has diverged: the learning rate is too large.
DIVERGED_LOSS = 1e100


@dataclass(frozen=True)
class KernelLearning:
    """The history of one gradient-descent run (arrays are read-only).

    Attributes
    ----------
    true_kernel : (Kh, Kw) array
        The kernel that made the targets, the one to recover.
    kernels : (T + 1, Kh, Kw) array
        The kernel before the first step and after each step.
    losses : (T + 1,) array
        The mean squared error of each kernel in ``kernels``.
    images : (N, H, W) array
        The random input images.
    targets : (N, H - Kh + 1, W - Kw + 1) array
        ``conv2d`` of each image with ``true_kernel``.
    learning_rate : float
        The step size.
    seed : int
        The seed the images and the starting kernel were drawn with.
    diverged : bool
        True when the loss exceeded ``DIVERGED_LOSS`` and the run stopped
        early (``T`` is then smaller than the steps asked for).

    Examples
    --------
    >>> run = learn_kernel(steps=3, seed=0)
    >>> run.kernels.shape, bool(run.losses[-1] < run.losses[0]), run.diverged
    ((4, 3, 3), True, False)
    """

    true_kernel: NDArray[np.floating]
    kernels: NDArray[np.floating]
    losses: NDArray[np.floating]
    images: NDArray[np.floating]
    targets: NDArray[np.floating]
    learning_rate: float
    seed: int
    diverged: bool

    @property
    def steps(self) -> int:
        """The number of steps taken, ``T``."""
        return int(self.kernels.shape[0] - 1)

    @property
    def kernel(self) -> NDArray[np.floating]:
        """The last kernel, ``kernels[-1]``."""
        return self.kernels[-1]

    @property
    def errors(self) -> NDArray[np.floating]:
        """``(T + 1,)``: the largest distance of each kernel's numbers from the true kernel's."""
        return np.abs(self.kernels - self.true_kernel).max(axis=(1, 2))


class _KernelGradient:
    """The loss and gradient of one kernel, computed by a one-filter :class:`Conv2D`.

    The images stay the layer's input and the targets its wanted output;
    each call puts the kernel in the layer's weight (the bias stays zero and
    its gradient is ignored), runs ``forward`` and ``backward``.
    """

    def __init__(
        self, images: NDArray[np.floating], targets: NDArray[np.floating], kernel_shape: tuple[int, int]
    ) -> None:
        self.layer = Conv2D(1, 1, kernel_shape, dtype=images.dtype, seed=0)
        self.images = images[..., None]  # (N, H, W, 1): one channel
        self.targets = targets[..., None]  # (N, H', W', 1): one filter

    def __call__(self, kernel: NDArray[np.floating]) -> tuple[float, NDArray[np.floating]]:
        self.layer.params["W"][:, :, 0, 0] = kernel
        errors = self.layer.forward(self.images) - self.targets
        self.layer.backward(2.0 / errors.size * errors)
        return float(np.mean(errors**2)), self.layer.grads["W"][:, :, 0, 0].copy()


def loss_and_gradient(images: ArrayLike, targets: ArrayLike, kernel: ArrayLike) -> tuple[float, NDArray[np.floating]]:
    """Mean squared error of ``conv2d(images, kernel)`` and its gradient.

    Parameters
    ----------
    images : (N, H, W) array
    targets : (N, H - Kh + 1, W - Kw + 1) array
    kernel : (Kh, Kw) array

    Returns
    -------
    loss : float
        ``mean((conv2d(X_n, K) - Y_n)^2)`` over every output pixel.
    gradient : (Kh, Kw) array
        ``dL/dK``: the cross-correlation of the images with the errors,
        times ``2 / M``, as :meth:`Conv2D.backward` computes it.

    Examples
    --------
    The true kernel has no error and a zero gradient:

    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2, 6, 6))
    >>> y = np.stack([conv2d(img, SOBEL_X) for img in x])
    >>> loss, grad = loss_and_gradient(x, y, SOBEL_X)
    >>> loss, bool(np.allclose(grad, 0))
    (0.0, True)
    """
    x = as_float_array(images, "images", ndim=3)
    k = as_float_array(kernel, "kernel", ndim=2)
    n, h, w = x.shape
    kh, kw = k.shape
    if kh > h or kw > w:
        raise ValueError(f"`kernel` of shape {k.shape} is larger than the images ({h}, {w})")
    y = as_float_array(targets, "targets", ndim=3)
    expected = (n, h - kh + 1, w - kw + 1)
    if y.shape != expected:
        raise ValueError(f"`targets` must have shape {expected} for these images and kernel, got {y.shape}")
    dtype = np.result_type(x.dtype, k.dtype, y.dtype)
    evaluate = _KernelGradient(x.astype(dtype, copy=False), y.astype(dtype, copy=False), (kh, kw))
    return evaluate(k.astype(dtype, copy=False))


def learn_kernel(
    true_kernel: ArrayLike | None = None,
    *,
    steps: int = 50,
    learning_rate: float = 0.1,
    samples: int = 8,
    image_size: int = 16,
    seed: int = 0,
) -> KernelLearning:
    """Recover a kernel by gradient descent from images filtered with it.

    ``samples`` random images (pixels from a standard normal: zero mean,
    so plain gradient descent converges quickly) are filtered with
    ``true_kernel`` by :func:`meia_cnn.ops.conv2d`; starting from a random
    kernel, each step moves the kernel against the gradient of the mean
    squared error (:func:`loss_and_gradient`)::

        K <- K - learning_rate * dL/dK

    Parameters
    ----------
    true_kernel : (Kh, Kw) array, optional
        The kernel to recover; the Sobel x edge detector (``SOBEL_X``) by
        default.
    steps : int, optional
        Gradient steps, 0 to 10 000.
    learning_rate : float, optional
        The step size, in (0, 2].  Around 0.1 converges in a few dozen
        steps; near 1 and above the kernel overshoots and the loss grows.
    samples : int, optional
        How many input/output pairs, >= 1.
    image_size : int, optional
        The images' side, at least the kernel's.
    seed : int, optional
        Seeds the images and the starting kernel: the same seed gives the
        same run.

    Returns
    -------
    KernelLearning
        Every kernel and loss along the way, the images and the targets.

    Examples
    --------
    >>> run = learn_kernel(steps=40, learning_rate=0.1, seed=1)
    >>> run.kernels.shape, run.losses.shape
    ((41, 3, 3), (41,))
    >>> bool(run.losses[-1] < run.losses[0] / 1000)
    True
    >>> np.round(run.kernel, 2) + 0.0  # + 0.0 turns -0. into 0.
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    truth = SOBEL_X if true_kernel is None else as_float_array(true_kernel, "true_kernel", ndim=2)
    if not is_int(steps) or not 0 <= steps <= 10_000:
        raise ValueError(f"`steps` must be an int from 0 to 10000, got {steps!r}")
    rate = as_real(learning_rate, "learning_rate", rule="a number")
    if not (np.isfinite(rate) and 0 < rate <= 2):
        raise ValueError(f"`learning_rate` must be > 0 and <= 2, got {learning_rate!r}")
    if not is_int(samples) or samples < 1:
        raise ValueError(f"`samples` must be an int >= 1, got {samples!r}")
    kh, kw = truth.shape
    if not is_int(image_size) or image_size < max(kh, kw):
        raise ValueError(f"`image_size` must be an int at least the kernel's size {max(kh, kw)}, got {image_size!r}")
    if not is_int(seed):
        raise TypeError(f"`seed` must be an int, got {seed!r}")
    seed = as_int(seed, "seed", minimum=0)
    samples, image_size = int(samples), int(image_size)
    check_elements(
        (samples, image_size, image_size),
        name="image_size" if image_size**2 >= samples else "samples",
        what="the images",
    )
    rng = np.random.default_rng(seed)
    dtype = truth.dtype
    images = rng.standard_normal((samples, image_size, image_size)).astype(dtype, copy=False)
    targets = conv2d(images[..., None], truth[:, :, None, None])[..., 0]
    kernel = (0.5 * rng.standard_normal((kh, kw))).astype(dtype, copy=False)
    evaluate = _KernelGradient(images, targets, (kh, kw))
    step = dtype.type(learning_rate)
    kernels = [kernel]
    loss, grad = evaluate(kernel)
    losses = [loss]
    diverged = False
    for _ in range(steps):
        kernel = kernel - step * grad
        loss, grad = evaluate(kernel)
        kernels.append(kernel)
        losses.append(loss)
        if not loss <= DIVERGED_LOSS:
            diverged = True
            break
    arrays = [np.array(truth), np.stack(kernels), np.array(losses, dtype=dtype), images, targets]
    for a in arrays:
        a.flags.writeable = False
    return KernelLearning(
        true_kernel=arrays[0],
        kernels=arrays[1],
        losses=arrays[2],
        images=arrays[3],
        targets=arrays[4],
        learning_rate=float(learning_rate),
        seed=int(seed),
        diverged=diverged,
    )

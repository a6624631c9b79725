"""Volumes: a 3-channel input, kernels as deep as the input, a stack of feature maps.

:func:`volume_state` gives every number the volume explorer shows: the
kernels (``K_d = I_d``, the slides' equation (2)), the feature map (one 2-D
map per kernel, stacked: ``G_d`` is the number of kernels, from
:func:`meia_cnn.ops.conv2d`), the shapes in the slides' width-first notation
(:func:`meia_cnn.arithmetic.feature_map_shape`) and the parameter count
(:func:`meia_cnn.arithmetic.conv_params`).  :func:`make_kernels` builds the
kernels from :data:`KERNEL_RECIPES` and the presets of :mod:`meia_cnn.kernels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array
from ..i18n import gettext_noop as N_
from ..i18n import register_option_labels
from ..kernels import kernel_preset
from ._frozen import frozen

__all__ = ["KERNEL_RECIPES", "KERNEL_SIZES", "MAX_KERNELS", "VolumeKernel", "VolumeState", "make_kernels",
           "volume_state"]

#: The most kernels the explorer stacks.
MAX_KERNELS = 8
#: The kernel sizes offered.
KERNEL_SIZES = (1, 3, 5)
# What the explorer's input buttons show: a photo, or a small array of numbers.
register_option_labels({"photo": N_("photo"), "array": N_("array")})

_ALL = (1.0, 1.0, 1.0)


def _pattern(name: str, k: int) -> NDArray[np.float64]:
    """A preset of :mod:`meia_cnn.kernels`, scaled so that its smallest weight is 1 (integers)."""
    preset = kernel_preset(name, k)
    scaled: NDArray[np.float64] = preset / np.abs(preset[preset != 0]).min()
    return scaled


#: The kernels, in order: an integer spatial pattern times an integer weight
#: per channel, ``K[:, :, c] = pattern * weights[c]`` (integers keep the
#: numbers legible), and what the kernel picks out (in English here: the
#: explorer shows it in the learner's language).
KERNEL_RECIPES = (
    ("sobel_x", _ALL, N_("vertical edges, all channels")),
    ("sobel_y", _ALL, N_("horizontal edges, all channels")),
    ("gaussian", (1.0, -1.0, 0.0), N_("red minus green, smoothed")),
    ("gaussian", (0.0, 0.0, 1.0), N_("blue channel, smoothed")),
    ("laplacian", (1.0, 2.0, 1.0), N_("spots and lines (R + 2G + B)")),
    ("sobel_x", (1.0, 0.0, 0.0), N_("vertical edges in red only")),
    ("emboss", _ALL, N_("relief (emboss), all channels")),
    ("gaussian", (1.0, 1.0, -2.0), N_("yellow minus blue, smoothed")),
)


def make_kernels(filters: int = 3, kernel_size: int = 3) -> NDArray[np.float64]:
    """The first ``filters`` kernels of :data:`KERNEL_RECIPES`, each of depth 3.

    Parameters
    ----------
    filters : int
        1 to :data:`MAX_KERNELS`.
    kernel_size : {1, 3, 5}
        With 1 each kernel only mixes the channels.

    Returns
    -------
    (kernel_size, kernel_size, 3, filters) array
        Ready for :func:`meia_cnn.ops.conv2d`.

    Examples
    --------
    >>> make_kernels(4, 3).shape
    (3, 3, 3, 4)
    >>> make_kernels(1, 1)[0, 0, :, 0]
    array([1., 1., 1.])
    >>> make_kernels(3, 3)[:, :, 0, 2]  # a Gaussian on red, minus the same on green
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) \
            or not 1 <= filters <= MAX_KERNELS:
        raise ValueError(f"`filters` must be an int from 1 to {MAX_KERNELS}, got {filters!r}")
    if kernel_size not in KERNEL_SIZES or isinstance(kernel_size, bool):
        raise ValueError(f"`kernel_size` must be 1, 3 or 5, got {kernel_size!r}")
    k = int(kernel_size)
    out = np.empty((k, k, 3, int(filters)))
    for f, (pattern, weights, _) in enumerate(KERNEL_RECIPES[:filters]):
        spatial = np.ones((1, 1)) if k == 1 else _pattern(pattern, k)
        out[:, :, :, f] = spatial[:, :, None] * np.asarray(weights)[None, None, :]
    return out


@dataclass(frozen=True, eq=False)
class VolumeKernel:
    """One kernel of a :class:`VolumeState` and the feature map it gives: what "kernel shown" picks.

    Attributes
    ----------
    index : int
        ``n``: the kernel ``kernels[..., n]`` and the map ``G[:, :, n]``.
    weights : (K, K, 3) array
        The kernel, as deep as the input.
    feature_map : (G_h, G_w) array
        Its 2-D map: the sum over the input's channels of the cross-correlations.
    meaning : str
        What the kernel picks out.

    Examples
    --------
    >>> state = volume_state(np.ones((5, 5, 3)), 2, 3)
    >>> one = state.per_kernel[1]
    >>> one.index, one.weights.shape, one.feature_map.shape, one.meaning
    (1, (3, 3, 3), (3, 3), 'horizontal edges, all channels')
    """

    index: int
    weights: NDArray[np.float64]
    feature_map: NDArray[np.float64]
    meaning: str


@dataclass(frozen=True, eq=False)
class VolumeState:
    """A volume, its kernels and the stacked feature map.

    Attributes
    ----------
    input : (l_h, l_w, 3) array
    kernels : (K, K, 3, F) array
        ``K_d = l_d``: each kernel is as deep as the input.
    feature_map : (G_h, G_w, F) array
        One map per kernel: ``G_d = F``.
    shapes : dict
        ``{"input": (l_w, l_h, l_d), "kernel": (K_w, K_h, K_d), "feature_map": (G_w, G_h, G_d)}``,
        width first as the slides write them.
    params : int
        Weights and biases of the layer.
    meanings : tuple of str
        What each kernel picks out.
    per_kernel : tuple of VolumeKernel
        Every kernel with its own map, ``per_kernel[n]`` for kernel ``n``:
        all the choices of the kernel shown, computed at once.

    Examples
    --------
    >>> state = volume_state(np.ones((6, 6, 3)), 2, 3)
    >>> state.shapes["feature_map"], state.params
    ((4, 4, 2), 56)
    """

    input: NDArray[np.float64]
    kernels: NDArray[np.float64]
    feature_map: NDArray[np.float64]
    shapes: dict[str, tuple[int, int, int]]
    params: int
    meanings: tuple[str, ...]
    per_kernel: tuple[VolumeKernel, ...]

    @property
    def filters(self) -> int:
        """``F``, the number of kernels."""
        return int(self.kernels.shape[3])

    @property
    def kernel_size(self) -> int:
        """``K``."""
        return int(self.kernels.shape[0])


def volume_state(x: ArrayLike, filters: int = 3, kernel_size: int = 3) -> VolumeState:
    """A 3-channel input ``x`` through ``filters`` kernels of :func:`make_kernels`.

    Parameters
    ----------
    x : (l_h, l_w, 3) array
    filters : int
        1 to :data:`MAX_KERNELS`.
    kernel_size : {1, 3, 5}

    Returns
    -------
    VolumeState

    Raises
    ------
    ValueError
        From the core, when the kernel is larger than the input.

    Examples
    --------
    >>> x = np.arange(5 * 5 * 3, dtype=float).reshape(5, 5, 3)
    >>> state = volume_state(x, 3, 3)
    >>> state.shapes
    {'input': (5, 5, 3), 'kernel': (3, 3, 3), 'feature_map': (3, 3, 3)}
    >>> float(state.feature_map[0, 0, 3 - 3]) == float((x[:3, :3] * state.kernels[..., 0]).sum())
    True
    """
    arr = as_float_array(x, "x", ndim=3)
    if arr.shape[2] != 3:
        raise ValueError(f"`x` must have 3 channels (H, W, 3), got shape {arr.shape}")
    kernels = make_kernels(filters, kernel_size)
    gh, gw, gd = arithmetic.feature_map_shape(arr.shape, filters, kernel_size)
    fmap = ops.conv2d(arr, kernels)
    h, w, d = arr.shape
    k = int(kernel_size)
    shapes = {"input": (w, h, d), "kernel": (k, k, d), "feature_map": (int(gw), int(gh), int(gd))}
    meanings = tuple(m for _, _, m in KERNEL_RECIPES[:filters])
    weights: NDArray[np.float64] = frozen(kernels)
    maps: NDArray[np.float64] = frozen(fmap)
    per_kernel = tuple(VolumeKernel(index=n, weights=weights[..., n], feature_map=maps[:, :, n], meaning=meanings[n])
                       for n in range(weights.shape[3]))
    return VolumeState(input=frozen(arr), kernels=weights, feature_map=maps, shapes=shapes,
                       params=int(arithmetic.conv_params(d, filters, k)), meanings=meanings, per_kernel=per_kernel)

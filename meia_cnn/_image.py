"""The few image operations the core needs, in vectorised numpy.

Each one computes what its scikit-image (or SciPy) namesake computes for the
inputs the kit gives it, so the core runs with numpy alone:

* :func:`to_float`: integer pixels to floats, as ``skimage.util.img_as_float``;
* :func:`rgb_to_grey`: luminance, as ``skimage.color.rgb2gray``;
* :func:`gaussian_filter`: as ``scipy.ndimage.gaussian_filter`` (and so
  ``skimage.filters.gaussian`` on float images);
* :func:`resize`: as ``skimage.transform.resize`` with its defaults (a
  Gaussian anti-aliasing filter when shrinking, then linear interpolation,
  edges mirrored);
* :func:`match_template`: normalised cross-correlation, as
  ``skimage.feature.match_template`` (``pad_input=False``);
* :func:`disk` and :func:`polygon`: the pixels inside a shape, as
  ``skimage.draw.disk`` and ``skimage.draw.polygon``.

The tests compare each with its reference.  Drawing and the integer
conversions give the same numbers bit for bit; filtering, resizing and
matching agree to rounding (the sums are taken in another order).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

__all__ = ["to_float", "rgb_to_grey", "gaussian_filter", "resize", "match_template", "disk", "polygon"]

#: Luminance weights of ``skimage.color.rgb2gray`` (ITU-R BT.709).
GREY_WEIGHTS = (0.2125, 0.7154, 0.0721)

# scipy.ndimage's names for the ways past an edge, as numpy.pad's
_PAD_MODES = {"mirror": "reflect", "nearest": "edge", "reflect": "symmetric", "wrap": "wrap"}


def to_float(image: ArrayLike) -> NDArray[np.float64]:
    """Integer or boolean pixels as float64: unsigned in [0, 1], signed in [-1, 1]; floats as float64.

    Parameters
    ----------
    image : array
        Any shape.

    Returns
    -------
    array of float64, same shape

    Examples
    --------
    >>> to_float(np.array([0, 51, 255], dtype=np.uint8)).tolist()
    [0.0, 0.2, 1.0]
    """
    image = np.asarray(image)
    kind = image.dtype.kind
    if kind == "b" or kind == "f":
        return image.astype(np.float64)
    if kind not in "ui":
        raise TypeError(f"`image` must hold numbers, got {image.dtype}")
    out = np.multiply(image, 1.0 / np.iinfo(image.dtype).max, dtype=np.float64)
    if kind == "i":
        np.maximum(out, -1.0, out=out)
    return out


def rgb_to_grey(rgb: ArrayLike) -> NDArray[np.float64]:
    """One grey channel from RGB: ``0.2125 R + 0.7154 G + 0.0721 B``.

    Parameters
    ----------
    rgb : (..., 3) array of float

    Returns
    -------
    (...) array of float64

    Examples
    --------
    >>> float(rgb_to_grey(np.array([1.0, 1.0, 1.0])))
    1.0
    """
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.shape[-1:] != (3,):
        raise ValueError(f"`rgb` must have 3 channels in its last axis, got shape {rgb.shape}")
    return np.asarray(rgb @ np.array(GREY_WEIGHTS, dtype=np.float64))


def _gaussian_weights(sigma: float, truncate: float) -> NDArray[np.float64]:
    radius = int(truncate * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x.astype(np.float64) ** 2)
    return np.asarray(phi / phi.sum())


def gaussian_filter(
    image: ArrayLike, sigma: ArrayLike, *, mode: str = "nearest", truncate: float = 4.0
) -> NDArray[np.float64]:
    """A Gaussian blur, one axis after the other (axes with ``sigma`` 0 are left alone).

    Parameters
    ----------
    image : array
        Any number of axes.
    sigma : float or sequence of float
        Standard deviation, one for all axes or one per axis, in pixels.
    mode : {'nearest', 'mirror', 'reflect', 'wrap'}
        Past the edge, as in ``scipy.ndimage``: the edge pixel repeated,
        mirrored about the edge pixel, mirrored about the edge, or wrapped.
    truncate : float
        The kernel reaches ``truncate`` standard deviations on each side.

    Returns
    -------
    array of float64, same shape

    Examples
    --------
    >>> out = gaussian_filter(np.eye(5), 1.0, mode="wrap")  # wrapped around: nothing lost
    >>> out.shape, round(float(out.sum()), 6)
    ((5, 5), 5.0)
    """
    out = np.asarray(image, dtype=np.float64)
    sigmas = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (out.ndim,))
    if mode not in _PAD_MODES:
        raise ValueError(f"`mode` must be one of {', '.join(_PAD_MODES)}, got {mode!r}")
    for axis, s in enumerate(sigmas):
        if s <= 1e-15:
            continue
        weights = _gaussian_weights(float(s), truncate)
        radius = len(weights) // 2
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode=_PAD_MODES[mode])  # type: ignore[call-overload]
        n = out.shape[axis]
        blurred = np.zeros_like(out)
        for k, w in enumerate(weights):
            blurred += w * padded[(slice(None),) * axis + (slice(k, k + n),)]
        out = blurred
    return out


def _linear_along(image: NDArray[np.float64], axis: int, size: int) -> NDArray[np.float64]:
    """Linear interpolation of ``image`` to ``size`` samples along ``axis``, pixel centres aligned."""
    n = image.shape[axis]
    coords = (np.arange(size) + 0.5) * (n / size) - 0.5
    if n == 1:
        return np.repeat(np.take(image, [0], axis=axis), size, axis=axis)
    coords = np.abs(coords)  # mirrored about the first pixel
    coords = np.where(coords > n - 1, 2 * (n - 1) - coords, coords)  # and about the last
    low = np.minimum(np.floor(coords).astype(np.intp), n - 2)
    t = coords - low
    shape = [1] * image.ndim
    shape[axis] = size
    t = t.reshape(shape)
    return np.asarray(np.take(image, low, axis=axis) * (1.0 - t) + np.take(image, low + 1, axis=axis) * t)


def resize(image: ArrayLike, shape: Sequence[int], *, anti_aliasing: bool | None = None) -> NDArray[np.float64]:
    """Resize to ``shape`` (values kept as they are), as ``skimage.transform.resize`` does by default.

    When an axis shrinks by a factor ``f``, a Gaussian of standard deviation
    ``(f - 1) / 2`` first removes what the new grid cannot hold; then each
    new pixel is interpolated linearly from the old pixel centres, the edges
    mirrored; the result stays within the image's own range.

    Parameters
    ----------
    image : (M, N) or (M, N, C) array
    shape : (int, int) or (int, int, C)
        The new height and width (channels are kept).
    anti_aliasing : bool, optional
        Blur before shrinking; by default, when any side shrinks.

    Returns
    -------
    array of float64 of ``shape`` (plus the channels)

    Examples
    --------
    >>> resize(np.arange(16.0).reshape(4, 4), (2, 2)).shape
    (2, 2)
    """
    image = np.asarray(image, dtype=np.float64)
    target = tuple(int(s) for s in shape)
    if len(target) == image.ndim - 1:
        target = target + image.shape[-1:]
    if len(target) != image.ndim or min(target) < 1:
        raise ValueError(f"cannot resize an image of shape {image.shape} to {tuple(shape)}")
    factors = np.divide(image.shape, target)
    if anti_aliasing is None:
        anti_aliasing = bool(np.any(factors > 1))
    out = gaussian_filter(image, np.maximum(0, (factors - 1) / 2), mode="mirror") if anti_aliasing else image
    for axis, size in enumerate(target):
        if size != image.shape[axis]:
            out = _linear_along(out, axis, size)
    if out is image:
        out = image.copy()
    return np.clip(out, image.min(), image.max())


def match_template(image: ArrayLike, template: ArrayLike) -> NDArray[np.floating]:
    """Normalised cross-correlation of a template at every position where it fits wholly.

    ``sum((w - mean w)(t - mean t)) / sqrt(sum((w - mean w)^2) sum((t - mean t)^2))``
    for each window ``w`` of the image under the template ``t``: 1 where the
    window is the template up to brightness and contrast, 0 where a window is
    flat.

    Parameters
    ----------
    image : (M, N) array
    template : (m, n) array, no larger than the image

    Returns
    -------
    (M - m + 1, N - n + 1) array of float32 (for float32 input) or float64

    Examples
    --------
    >>> picture = np.zeros((6, 6)); picture[2:4, 3:5] = [[1, 2], [3, 4]]
    >>> response = match_template(picture, picture[1:5, 2:6])
    >>> np.unravel_index(response.argmax(), response.shape), round(float(response.max()), 6)
    ((np.int64(1), np.int64(2)), 1.0)
    """
    picture = np.asarray(image)
    dtype = np.float32 if picture.dtype == np.float32 else np.float64
    windows = sliding_window_view(np.asarray(picture, dtype=np.float64), np.shape(template))
    t = np.asarray(template, dtype=np.float64)
    if t.ndim != 2 or picture.ndim != 2:
        raise ValueError(f"`image` and `template` must be 2-D, got {picture.shape} and {t.shape}")
    zero_mean = t - t.mean()
    numerator = np.tensordot(windows, zero_mean, axes=2)
    sums = windows.sum(axis=(2, 3))
    squares = np.einsum("ijkl,ijkl->ij", windows, windows)
    denominator = np.sqrt(np.maximum(squares - sums * sums / t.size, 0.0) * np.sum(zero_mean**2))
    response = np.zeros(numerator.shape, dtype=np.float64)
    flat = denominator > np.finfo(dtype).eps
    response[flat] = numerator[flat] / denominator[flat]
    return response.astype(dtype)


def disk(
    center: tuple[float, float], radius: float, *, shape: tuple[int, int]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows and columns of the pixels whose centres lie strictly inside a circle.

    Parameters
    ----------
    center : (float, float)
        ``(row, column)`` of the centre.
    radius : float
    shape : (int, int)
        The image's ``(height, width)``: pixels outside are left out.

    Returns
    -------
    rows, cols : arrays of int

    Examples
    --------
    >>> rows, cols = disk((2, 2), 1.5, shape=(5, 5))
    >>> len(rows)
    9
    """
    center_rc = np.array(center, dtype=np.float64)
    upper_left = np.maximum(np.ceil(center_rc - radius).astype(int), 0)
    lower_right = np.minimum(np.floor(center_rc + radius).astype(int), np.array(shape[:2]) - 1)
    shifted = center_rc - upper_left
    box = lower_right - upper_left + 1
    r = np.arange(0.0, float(box[0]))[:, None] - shifted[0]
    c = np.arange(0.0, float(box[1]))[None, :] - shifted[1]
    rows, cols = np.nonzero((r / radius) ** 2 + (c / radius) ** 2 < 1)
    return rows + upper_left[0], cols + upper_left[1]


def polygon(rows: ArrayLike, cols: ArrayLike, *, shape: tuple[int, int]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows and columns of the pixels whose centres lie inside a polygon or on its outline.

    A ray from each pixel centre to the right and one to the left count the
    edges they cross: an odd count on both sides is inside, different
    parities on the two sides mean the centre lies on an edge (kept), and a
    centre on a vertex is kept too.

    Parameters
    ----------
    rows, cols : (K,) arrays of float
        The vertices, in order.
    shape : (int, int)
        The image's ``(height, width)``: pixels outside are left out.

    Returns
    -------
    rows, cols : arrays of int

    Examples
    --------
    >>> rr, cc = polygon([1, 1, 3, 3], [1, 3, 3, 1], shape=(5, 5))
    >>> len(rr)  # the 3x3 square, outline included
    9
    """
    yp = np.asarray(rows, dtype=np.float64)
    xp = np.asarray(cols, dtype=np.float64)
    min_r, max_r = int(max(0.0, float(yp.min()))), min(shape[0] - 1, int(np.ceil(yp.max())))
    min_c, max_c = int(max(0.0, float(xp.min()))), min(shape[1] - 1, int(np.ceil(xp.max())))
    y = np.arange(min_r, max_r + 1, dtype=np.float64)[:, None]
    x = np.arange(min_c, max_c + 1, dtype=np.float64)[None, :]
    box = (y.shape[0], x.shape[1])
    right = np.zeros(box, dtype=bool)  # parity of the crossings to the right of each centre
    left = np.zeros(box, dtype=bool)
    vertex = np.zeros(box, dtype=bool)
    x1, y1 = xp[-1] - x, yp[-1] - y
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(len(yp)):
            x0, y0 = xp[i] - x, yp[i] - y
            vertex |= (np.abs(x0) < 1e-12) & (np.abs(y0) < 1e-12)
            crossing = (x0 * y1 - x1 * y0) / (y1 - y0)
            right ^= ((y0 > 0) != (y1 > 0)) & (crossing > 0)
            left ^= ((y0 < 0) != (y1 < 0)) & (crossing < 0)
            x1, y1 = x0, y0
    inside = vertex | right | left  # inside (both odd) or on an edge (parities differ)
    rr, cc = np.nonzero(inside)
    return rr + min_r, cc + min_c

"""Images and data sets for the lessons, all available offline.

* :func:`sample_image`: photos bundled with scikit-image (camera, astronaut,
  coins, checkerboard, coffee, chelsea, ...), as floats in [0, 1];
* :func:`digits`: scikit-learn's 8x8 handwritten digits (bundled);
* :func:`load_image`: a student's own file, decoded safely;
* :func:`shapes`: a labelled set of simple shapes at random positions;
* :func:`read_idx` and :func:`load_mnist`: MNIST files in the idx format,
  for users who have them (nothing is ever downloaded).
"""

from __future__ import annotations

import io
import os
import warnings
from functools import lru_cache

import numpy as np

from ._validation import as_pair, is_int

__all__ = [
    "SAMPLE_NAMES",
    "sample_image",
    "digits",
    "load_image",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "shapes",
    "SHAPE_NAMES",
    "REGIONS",
    "read_idx",
    "load_mnist",
]

#: Sample photos shipped inside scikit-image (no download needed).
SAMPLE_NAMES = (
    "camera", "astronaut", "coins", "checkerboard", "coffee", "chelsea", "moon",
    "text", "rocket", "horse", "clock", "page", "brick", "grass", "gravel",
    "immunohistochemistry",
)

#: Largest file :func:`load_image` accepts, in bytes (20 MiB).
MAX_BYTES = 20 * 1024 * 1024
#: Largest image :func:`load_image` decodes, in pixels (40 megapixels).
MAX_PIXELS = 40_000_000
#: Longest side :func:`load_image` accepts, in pixels.
MAX_SIDE = 20_000

_LAZY = {"shapes", "SHAPE_NAMES", "REGIONS", "read_idx", "load_mnist"}


def __getattr__(name):
    if name in _LAZY:
        from . import _datasets

        return getattr(_datasets, name)
    raise AttributeError(f"module 'meia_cnn.data' has no attribute {name!r}")


@lru_cache(maxsize=None)
def _raw_sample(name):
    import skimage.data

    image = getattr(skimage.data, name)()
    image.setflags(write=False)
    return image


def sample_image(name="camera", *, grey=False, size=None):
    """A photo bundled with scikit-image, as floats in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_NAMES`.
    grey : bool
        Convert colour photos to one grey channel (luminance).
    size : int or (int, int), optional
        Resize: an int is the longest side, a pair is ``(height, width)``.

    Returns
    -------
    ndarray of shape (H, W) or (H, W, 3), float64 in [0, 1]

    Examples
    --------
    >>> sample_image("camera").shape
    (512, 512)
    >>> sample_image("astronaut", size=64).shape
    (64, 64, 3)
    >>> sample_image("coffee", grey=True, size=60).shape
    (40, 60)
    """
    if not isinstance(name, str) or name not in SAMPLE_NAMES:
        raise ValueError(f"`name` must be one of {', '.join(SAMPLE_NAMES)}; got {name!r}")
    return _finish(_raw_sample(name), grey=grey, size=size)


@lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float64)
    labels = bunch.target.astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def digits(*, dtype=np.float64):
    """scikit-learn's handwritten digits: 1,797 images of 8x8 pixels, one channel.

    The images form a batch in the kit's convention, channels last, like every
    image this module returns: float64 in [0, 1] unless ``dtype`` asks for
    float32 (what :mod:`meia_cnn.nn` trains in).

    Parameters
    ----------
    dtype : {numpy.float64, numpy.float32}, optional
        The images' dtype.

    Returns
    -------
    images : (1797, 8, 8, 1) array of ``dtype`` in [0, 1]
    labels : (1797,) array of int64 in 0..9

    Examples
    --------
    >>> images, labels = digits()
    >>> images.shape, images.dtype, labels[:5].tolist()
    ((1797, 8, 8, 1), dtype('float64'), [0, 1, 2, 3, 4])
    >>> digits(dtype=np.float32)[0].dtype
    dtype('float32')
    """
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"`dtype` must be float32 or float64, got {np.dtype(dtype).name}")
    images, labels = _digits()
    return images[..., None].astype(dtype), labels.copy()


def load_image(source, *, grey=False, size=None, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS):
    """Decode an image file safely (with scikit-image) into floats in [0, 1].

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray or memoryview
        A path, or the file's content (e.g. from an upload widget).
    grey : bool
        Return one grey channel.
    size : int or (int, int), optional
        Resize: an int is the longest side, a pair is ``(height, width)``.
    max_bytes, max_pixels : int
        Files larger than ``max_bytes`` and images with more than
        ``max_pixels`` pixels (or a side longer than :data:`MAX_SIDE`) are
        refused before they are decoded.

    Returns
    -------
    ndarray of shape (H, W) or (H, W, 3), float64 in [0, 1]
        Alpha is composited over white; animations give their first frame.

    Raises
    ------
    ValueError
        Too large, empty, not an image, or absurd dimensions, with a message
        that says which.
    TypeError
        ``source`` is neither a path nor bytes.
    """
    data, label = _read_source(source, max_bytes)
    if not data:
        raise ValueError(f"{label} is empty (0 bytes): not an image")
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - Pillow comes with scikit-image
        Image = None
    if Image is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)) as probe:
                    width, height = probe.size
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ValueError(f"{label} is not an image that can be read (PNG, JPEG, GIF, BMP, TIFF...): {exc}") from None
        except Exception as exc:  # a decoder's own failure on a corrupt header
            raise ValueError(f"{label} is not a readable image: {exc}") from None
        _check_dims(label, height, width, max_pixels)
    try:
        import skimage.io

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = np.asarray(skimage.io.imread(io.BytesIO(data)))
    except Exception as exc:
        raise ValueError(f"{label} could not be decoded as an image: {exc}") from None
    image = _first_frame(image, label)
    _check_dims(label, image.shape[0], image.shape[1], max_pixels)
    return _finish(image, grey=grey, size=size)


def _read_source(source, max_bytes):
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = "the uploaded file"
        if len(data) > max_bytes:
            raise ValueError(f"{label} is too large: {len(data):,} bytes, the limit is {max_bytes:,} bytes")
        return data, label
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        label = f"file {os.path.basename(path)!r}"
        try:
            n = os.path.getsize(path)
        except OSError as exc:
            raise ValueError(f"cannot read {path!r}: {exc.strerror or exc}") from None
        if n > max_bytes:
            raise ValueError(f"{label} is too large: {n:,} bytes, the limit is {max_bytes:,} bytes")
        with open(path, "rb") as fh:
            return fh.read(max_bytes + 1), label
    raise TypeError(f"`source` must be a path or the file's bytes, got {type(source).__name__}")


def _check_dims(label, height, width, max_pixels):
    if height < 1 or width < 1:
        raise ValueError(f"{label} has absurd dimensions {width}x{height}: an image needs at least one pixel")
    if max(height, width) > MAX_SIDE:
        raise ValueError(
            f"{label} has absurd dimensions {width}x{height}: the longest side may be at most {MAX_SIDE:,} pixels"
        )
    if height * width > max_pixels:
        raise ValueError(
            f"{label} is too large: {width}x{height} = {height * width:,} pixels, the limit is {max_pixels:,}"
        )


def _first_frame(image, label):
    if image.ndim == 4:  # animation or volume: (frames, H, W, C)
        image = image[0]
    if image.ndim == 3 and image.shape[-1] not in (1, 2, 3, 4) and image.shape[0] in (1, 2, 3, 4):
        image = np.moveaxis(image, 0, -1)  # channels-first TIFF
    if image.ndim == 3 and image.shape[-1] not in (1, 2, 3, 4):
        image = image[0]  # multi-page grey stack: first page
    if image.ndim not in (2, 3):
        raise ValueError(f"{label} decodes to an array of shape {image.shape}, not a 2-D image")
    return image


def _to_unit_float(image):
    from skimage.util import img_as_float

    if image.dtype == bool:
        return image.astype(np.float64)
    if image.dtype.kind == "f":
        image = image.astype(np.float64)
        finite = np.isfinite(image)
        if not finite.all():
            image = np.where(finite, image, 0.0)
        lo, hi = float(image.min()), float(image.max())
        if lo < 0.0 or hi > 1.0:
            image = (image - lo) / (hi - lo) if hi > lo else np.zeros_like(image)
        return image
    return img_as_float(image).astype(np.float64, copy=False)


def _finish(image, *, grey, size):
    """Channels to RGB or grey, values to [0, 1], then an optional resize."""
    image = _to_unit_float(np.asarray(image))
    if image.ndim == 3:
        channels = image.shape[-1]
        if channels == 1:
            image = image[..., 0]
        elif channels == 2:  # grey + alpha, over white
            image = image[..., 0] * image[..., 1] + (1.0 - image[..., 1])
        elif channels == 4:  # RGBA over white
            alpha = image[..., 3:4]
            image = image[..., :3] * alpha + (1.0 - alpha)
    if grey and image.ndim == 3:
        from skimage.color import rgb2gray

        image = rgb2gray(image)
    if size is not None:
        image = _resize(image, size)
    return np.clip(image, 0.0, 1.0)


def _resize(image, size):
    from skimage.transform import resize

    h, w = image.shape[:2]
    if is_int(size):
        if size < 1:
            raise ValueError(f"`size` must be >= 1, got {size}")
        scale = size / max(h, w)
        target = (max(1, round(h * scale)), max(1, round(w * scale)))
    else:
        target = as_pair(size, "size")
    if target == (h, w):
        return image
    return resize(image, target + image.shape[2:], anti_aliasing=target[0] < h or target[1] < w,
                  preserve_range=True)

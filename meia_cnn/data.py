"""Images and data sets for the lessons, all available offline.

* :func:`sample_image`: scikit-image's sample photos (camera, astronaut,
  coins, checkerboard, coffee, chelsea, ...), shipped with the kit, as floats
  in [0, 1];
* :func:`digits`: scikit-learn's 8x8 handwritten digits, shipped with the kit;
* :func:`load_image`: a student's own file, decoded safely;
* :func:`shapes`: a labelled set of simple shapes at random positions;
* :func:`read_idx` and :func:`load_mnist`: MNIST files in the idx format,
  for users who have them (nothing is ever downloaded).

The photos and digits are read from ``meia_cnn/assets/`` (``photos.npz`` and
``digits.npz``, written by ``python -m tools.make_assets``: the arrays
scikit-image's and scikit-learn's loaders return; their sources and licences
are in ``meia_cnn/assets/LICENSES.md``), so neither library is needed.
"""

from __future__ import annotations

import io
import os
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from . import _image
from ._datasets import REGIONS, SHAPE_NAMES, load_mnist, read_idx, shapes
from ._optional import optional_import
from ._validation import IntOrPair, as_int, as_pair, check_elements, is_int
from .errors import KitValueError

__all__ = [
    "SAMPLE_NAMES",
    "sample_image",
    "digits",
    "load_image",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MAX_DECODED_SIDE",
    "shapes",
    "SHAPE_NAMES",
    "REGIONS",
    "read_idx",
    "load_mnist",
]

#: scikit-image's sample photos, shipped with the kit (no download needed).
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
#: Longest side :func:`load_image` returns when no ``size`` is asked for:
#: larger images are downscaled while they are decoded.
MAX_DECODED_SIDE = 1024

_ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")


def _shipped(file: str, name: str) -> np.ndarray:
    """One array of an ``.npz`` in ``meia_cnn/assets`` (only that member is read), read-only."""
    path = os.path.join(_ASSETS, file)
    with np.load(path, allow_pickle=False) as arrays:
        array = arrays[name]
    array.setflags(write=False)
    return array


@lru_cache(maxsize=None)
def _raw_sample(name: str) -> np.ndarray:
    return _shipped("photos.npz", name)


def sample_image(name: str = "camera", *, grey: bool = False, size: IntOrPair | None = None) -> NDArray[np.float64]:
    """One of scikit-image's sample photos (shipped with the kit), as floats in [0, 1].

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
    (M, N) or (M, N, 3) array of float64 in [0, 1]

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
def _digits() -> tuple[np.ndarray, np.ndarray]:
    images = _shipped("digits.npz", "images").astype(np.float64) / 16.0
    labels = _shipped("digits.npz", "labels").astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def digits(*, dtype: DTypeLike = np.float64) -> tuple[NDArray[np.floating], NDArray[np.int64]]:
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


def load_image(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    name: str | None = None,
    grey: bool = False,
    size: IntOrPair | None = None,
    min_size: IntOrPair = 1,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> NDArray[np.float64]:
    """Decode an image file safely (with Pillow) into floats in [0, 1].

    Everything that can be refused is refused before the pixels are decoded:
    the file's size, then the dimensions its header declares.  Only the first
    frame of an animation or a multi-page file is ever decoded, so its pixel
    count is all that is decoded.  Large images are downscaled while they
    are decoded (JPEG's DCT scaling through Pillow's ``draft``, then
    ``reduce`` by whole factors), so memory follows the size returned, not
    the size of the file's picture.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray or memoryview
        A path, or the file's content (e.g. from an upload widget).
    name : str, optional
        What to call the file in messages (e.g. the uploaded file's name);
        defaults to the path's file name, or "the upload" for bytes.
    grey : bool, optional
        Return one grey channel.
    size : int or (int, int), optional
        Resize: an int is the longest side, a pair is ``(height, width)``.
        Without it, images whose longest side exceeds :data:`MAX_DECODED_SIDE`
        are downscaled to it (aspect ratio kept).
    min_size : int or (int, int), optional
        The smallest ``(height, width)`` accepted, after any resize: an
        explorer whose kernel needs 5x5 pixels passes ``min_size=5`` and a
        10000x3 strip is refused with a ``ValueError`` instead of failing later.
    max_bytes, max_pixels : int, optional
        Files larger than ``max_bytes`` and images with more than
        ``max_pixels`` pixels (or a side longer than :data:`MAX_SIDE`) are
        refused before they are decoded.

    Returns
    -------
    (M, N) or (M, N, 3) array of float64 in [0, 1]
        Grey or RGB.  Alpha is composited over white; CMYK and other colour
        spaces are converted to RGB; the EXIF orientation is applied (as
        ``PIL.ImageOps.exif_transpose`` does), so a phone photo stands up.

    Raises
    ------
    ValueError
        Too large, too small, empty, not an image, or absurd dimensions, with
        a message that names the file and says which.
    TypeError
        ``source`` is neither a path nor bytes.
    ModuleNotFoundError
        Pillow is not installed (it comes with ``pip install "meia-cnn[widgets]"``).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (40, 30), (255, 0, 0)).save(buffer, format="PNG")
    >>> image = load_image(buffer.getvalue(), size=20)
    >>> image.shape, image[0, 0].tolist()
    ((15, 20, 3), [1.0, 0.0, 0.0])
    >>> load_image(buffer.getvalue(), name="strip.png", min_size=(40, 40))
    Traceback (most recent call last):
    ...
    meia_cnn.errors.KitValueError: strip.png is too small: 40x30 pixels, this needs at least 40x40
    """
    data, label = _read_source(source, max_bytes, name)
    if not data:
        raise KitValueError(f"{label} is empty (0 bytes): not an image", code="image_empty", name=label)
    need_h, need_w = as_pair(min_size, "min_size")
    target = _check_size_argument(size)
    Image = optional_import("PIL.Image", "meia_cnn.data.load_image")
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning, EXIF and palette warnings
        try:
            im = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise KitValueError(f"{label} is too large: its header declares more pixels than the limit "
                                f"of {max_pixels:,}", code="image_too_large", name=label) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise KitValueError(f"{label} is not an image that can be read (PNG, JPEG, GIF, BMP, TIFF...)",
                                code="image_unreadable", name=label) from None
        except Exception:  # a decoder's own failure on a corrupt header
            raise KitValueError(f"{label} is not a readable image: its header is damaged",
                                code="image_unreadable", name=label) from None
        with im:
            width, height = im.size
            _check_dims(label, height, width, max_pixels)
            frames = _frame_count(im)
            if frames > 1 and width * height * frames > max_pixels:
                raise KitValueError(
                    f"{label} is too large: {frames:,} frames of {width}x{height} = "
                    f"{width * height * frames:,} pixels, the limit is {max_pixels:,}",
                    code="image_too_large", name=label,
                )
            try:
                pixels = _decode_first_frame(im, target)
            except Exception:
                raise KitValueError(f"{label} could not be decoded as an image: the file is damaged "
                                    f"or truncated", code="image_unreadable", name=label) from None
    if size is None and max(pixels.shape[:2]) > MAX_DECODED_SIDE:
        size = MAX_DECODED_SIDE
    image = _finish(pixels, grey=grey, size=size)
    if image.shape[0] < need_h or image.shape[1] < need_w:
        raise KitValueError(
            f"{label} is too small: {image.shape[1]}x{image.shape[0]} pixels, "
            f"this needs at least {need_w}x{need_h}",
            code="image_too_small", name=label, width=image.shape[1], height=image.shape[0],
            need_width=need_w, need_height=need_h,
        )
    return image


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
              6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}  # as PIL.ImageOps.exif_transpose


def _frame_count(im: Any) -> int:
    """Frames (or pages) a file declares, read from its headers without decoding pixels."""
    try:
        return max(1, int(getattr(im, "n_frames", 1)))
    except Exception:  # a damaged later frame: only the first one is decoded anyway
        return 1


def _check_size_argument(size: Any) -> tuple[int, int] | int:
    """``size`` checked before decoding: a longest side (int) or ``(height, width)``."""
    if size is None:
        return MAX_DECODED_SIDE
    if is_int(size):
        if size < 1:
            raise ValueError(f"`size` must be >= 1, got {size}")
        return int(size)
    return as_pair(size, "size")


def _decode_first_frame(im: Any, target: tuple[int, int] | int) -> np.ndarray:
    """Decode frame 0 of an open Pillow image, shrunk to ``target`` if larger, upright.

    ``target`` is a longest side (int) or an upright ``(height, width)``.
    Returns a uint8, uint16, float32 or float64 array: (H, W) grey, (H, W, 2)
    grey + alpha, (H, W, 3) RGB or (H, W, 4) RGBA.
    """
    from PIL import ExifTags, Image

    try:
        orientation = int(im.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # a damaged EXIF block: show the picture as stored
        orientation = 1
    width, height = im.size
    # the size to shrink to, in the file's stored orientation (None: not larger than the target)
    shrink: tuple[int, int] | None = None
    if isinstance(target, int):
        if max(width, height) > target:
            scale = target / max(width, height)
            shrink = (max(1, round(width * scale)), max(1, round(height * scale)))
    else:
        th, tw = target if orientation not in (5, 6, 7, 8) else (target[1], target[0])
        if th < height and tw < width:
            shrink = (tw, th)
    if shrink is not None and im.format == "JPEG":
        im.draft(None, (2 * shrink[0], 2 * shrink[1]))  # DCT scaling: decodes at 1/2, 1/4 or 1/8
    mode = im.mode
    if mode in ("1", "L"):
        wanted = "L"
    elif mode in ("LA", "La"):
        wanted = "LA"
    elif mode in ("PA", "RGBA", "RGBa") or (mode == "P" and "transparency" in im.info):
        wanted = "RGBA"
    elif mode.startswith("I") or mode == "F":
        wanted = "I" if mode.startswith("I") else "F"
    else:  # P, RGB, RGBX, CMYK, YCbCr, LAB, HSV: Pillow converts to RGB with the right colours
        wanted = "RGB"
    im.load()  # frame 0 only
    if im.mode != wanted:
        im = im.convert(wanted)
    if shrink is not None:
        # reduce() by a whole factor first (a box filter), then Lanczos: no aliasing, little memory
        im = im.resize(shrink, resample=Image.Resampling.LANCZOS, reducing_gap=2.0)
    if orientation in _TRANSPOSE:
        im = im.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))
    pixels = np.asarray(im)
    if mode.startswith("I;16"):
        return pixels.astype(np.uint16)
    if pixels.dtype == np.int32:  # 32-bit integer grey: 16-bit values scale by 65535, others stretch
        wide = pixels.astype(np.float64)
        if wide.size and wide.min() >= 0 and wide.max() <= 65535:
            wide /= 65535.0
        return wide
    return pixels


def _read_source(source: Any, max_bytes: int, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name if name else "the upload"
        n = source.nbytes if isinstance(source, memoryview) else len(source)
        if n > max_bytes:
            raise KitValueError(f"{label} is too large: {n:,} bytes, the limit is {max_bytes:,} bytes",
                                code="image_too_large", name=label)
        return bytes(source), label
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        label = name if name else f"file {os.path.basename(path)!r}"
        try:
            n = os.path.getsize(path)
        except OSError as exc:
            raise KitValueError(f"cannot read {label}: {exc.strerror or 'no such file'}",
                                code="file_unreadable", name=label) from None
        if n > max_bytes:
            raise KitValueError(f"{label} is too large: {n:,} bytes, the limit is {max_bytes:,} bytes",
                                code="image_too_large", name=label)
        with open(path, "rb") as fh:
            return fh.read(max_bytes + 1), label
    raise TypeError(f"`source` must be a path or the file's bytes, got {type(source).__name__}")


def _check_dims(label: str, height: int, width: int, max_pixels: int) -> None:
    if height < 1 or width < 1:
        raise KitValueError(f"{label} has absurd dimensions {width}x{height}: an image needs at least one pixel",
                            code="image_bad_dimensions", name=label, width=width, height=height)
    if max(height, width) > MAX_SIDE:
        raise KitValueError(
            f"{label} has absurd dimensions {width}x{height}: the longest side may be at most {MAX_SIDE:,} pixels",
            code="image_bad_dimensions", name=label, width=width, height=height,
        )
    if height * width > max_pixels:
        raise KitValueError(
            f"{label} is too large: {width}x{height} = {height * width:,} pixels, the limit is {max_pixels:,}",
            code="image_too_large", name=label,
        )


def _to_unit_float(image: np.ndarray) -> NDArray[np.float64]:
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
    return _image.to_float(image)


def _finish(image: np.ndarray, *, grey: bool, size: IntOrPair | None) -> NDArray[np.float64]:
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
        image = _image.rgb_to_grey(image)
    if size is not None:
        image = _resize(image, size)
    return np.clip(image, 0.0, 1.0)


def _resize(image: np.ndarray, size: IntOrPair) -> np.ndarray:
    h, w = image.shape[:2]
    if is_int(size):
        scale = as_int(size, "size") / max(h, w)
        target = (max(1, round(h * scale)), max(1, round(w * scale)))
    else:
        target = as_pair(size, "size")
    if target == (h, w):
        return image
    check_elements(target + image.shape[2:], name="size", what="the resized image")
    return _image.resize(image, target, anti_aliasing=target[0] < h or target[1] < w)

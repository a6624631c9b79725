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
import stat
import warnings
from functools import cache, lru_cache
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from . import _image
from ._datasets import REGIONS, SHAPE_NAMES, load_mnist, read_idx, shapes
from ._optional import optional_import
from ._validation import IntOrPair, as_bool, as_int, as_pair, check_elements, is_int, value_text
from .errors import KitValueError
from .i18n import gettext_noop as N_
from .i18n import register_option_labels

__all__ = [
    "SAMPLE_NAMES",
    "sample_image",
    "digits",
    "load_image",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_FRAMES",
    "IMAGE_FORMATS",
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
    "camera",
    "astronaut",
    "coins",
    "checkerboard",
    "coffee",
    "chelsea",
    "moon",
    "text",
    "rocket",
    "horse",
    "clock",
    "page",
    "brick",
    "grass",
    "gravel",
    "immunohistochemistry",
)
# What an explorer's photo menu shows for each sample.
register_option_labels(
    {
        "camera": N_("camera"),
        "astronaut": N_("astronaut"),
        "coins": N_("coins"),
        "checkerboard": N_("checkerboard"),
        "coffee": N_("coffee"),
        "chelsea": N_("chelsea"),
        "moon": N_("moon"),
        "text": N_("text"),
        "rocket": N_("rocket"),
        "horse": N_("horse"),
        "clock": N_("clock"),
        "page": N_("page"),
        "brick": N_("brick"),
        "grass": N_("grass"),
        "gravel": N_("gravel"),
        "immunohistochemistry": N_("immunohistochemistry"),
    }
)

#: Largest file :func:`load_image` accepts, in bytes (8 MB): the one upload
#: limit, also the explorers' (their upload button refuses a larger file in
#: the page, before sending it, with the same limit).
MAX_BYTES = 8 * 1024 * 1024
#: Largest image :func:`load_image` decodes, in pixels (40 megapixels): the
#: first frame's, the only one decoded.
MAX_PIXELS = 40_000_000
#: Most frames (or pages) a file may declare; only the first is decoded, but
#: counting them reads every frame's header.
MAX_FRAMES = 10_000
#: The formats :func:`load_image` opens (Pillow's names): what a student
#: uploads.  Anything else (PostScript, ICO, ICNS, PDF, ...) is refused from
#: its first bytes, before any decoder sees it.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
#: The first bytes of each accepted format.
_SIGNATURES = {
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "JPEG": (b"\xff\xd8\xff",),
    "GIF": (b"GIF87a", b"GIF89a"),
    "WEBP": (b"RIFF",),  # and "WEBP" at offset 8, checked below
    "BMP": (b"BM",),
    "TIFF": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
}
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


@cache
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
    a path that is not a regular file (a folder, a FIFO), the file's size
    (:data:`MAX_BYTES`), a format outside :data:`IMAGE_FORMATS` (known from the
    first bytes, before Pillow opens it, and Pillow is then told that one
    format), then the dimensions its header declares.  Only the first frame of
    an animation or a multi-page file is ever decoded, so its pixel count is
    what :data:`MAX_PIXELS` limits; the frames are limited by :data:`MAX_FRAMES`.  Large images are downscaled while they
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
    meia_cnn.errors.KitValueError: strip.png is too small: 40x30 pixels, this needs at least 40x40 (`min_size`)
    """
    grey = as_bool(grey, "grey")
    max_bytes = as_int(max_bytes, "max_bytes")
    max_pixels = as_int(max_pixels, "max_pixels")
    need_h, need_w = as_pair(min_size, "min_size")
    target = _check_size_argument(size)
    data, label = _read_source(source, max_bytes, name)
    if not data:
        raise KitValueError(f"{label} is empty (0 bytes): not an image", code="image_empty", name=label)
    fmt = _sniff(data)
    if fmt is None:
        raise KitValueError(
            f"{label} is not an image that can be read: its first bytes are not those of {_FORMAT_NAMES}",
            code="image_unreadable",
            name=label,
        )
    Image = optional_import("PIL.Image", "meia_cnn.data.load_image")
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning, EXIF and palette warnings
        try:
            im = Image.open(io.BytesIO(data), formats=[fmt])
        except Image.DecompressionBombError:
            raise KitValueError(
                f"{label} is too large: its header declares more pixels than the limit of {max_pixels:,}",
                code="image_too_large",
                name=label,
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise KitValueError(
                f"{label} is not an image that can be read ({_FORMAT_NAMES})", code="image_unreadable", name=label
            ) from None
        except Exception:  # a decoder's own failure on a corrupt header
            raise KitValueError(
                f"{label} is not a readable image: its header is damaged", code="image_unreadable", name=label
            ) from None
        with im:
            width, height = im.size
            _check_dims(label, height, width, max_pixels)
            frames = _frame_count(im)  # read from the frames' headers: no pixel is decoded
            if frames > MAX_FRAMES:
                raise KitValueError(
                    f"{label} is too large: {frames:,} frames, the limit is {MAX_FRAMES:,} frames "
                    "(only the first is shown)",
                    code="image_too_large",
                    name=label,
                )
            try:
                pixels = _decode_first_frame(im, target)
            except Exception:
                raise KitValueError(
                    f"{label} could not be decoded as an image: the file is damaged or truncated",
                    code="image_unreadable",
                    name=label,
                ) from None
    if size is None and max(pixels.shape[:2]) > MAX_DECODED_SIDE:
        size = MAX_DECODED_SIDE
    image = _finish(pixels, grey=grey, size=size)
    if image.shape[0] < need_h or image.shape[1] < need_w:
        raise KitValueError(
            f"{label} is too small: {image.shape[1]}x{image.shape[0]} pixels, "
            f"this needs at least {need_w}x{need_h} (`min_size`)",
            code="image_too_small",
            name=label,
            width=image.shape[1],
            height=image.shape[0],
            need_width=need_w,
            need_height=need_h,
        )
    return image


_TRANSPOSE = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}  # as PIL.ImageOps.exif_transpose


_FORMAT_NAMES = "PNG, JPEG, GIF, WebP, BMP or TIFF"


def _sniff(data: bytes) -> str | None:
    """The accepted format ``data`` starts like (Pillow's name), or None.

    Checked before Pillow opens the file: ICO and ICNS decode their PNG
    frames inside ``Image.open`` (before any pixel count can be checked), and
    a PostScript file renamed ``.png`` would be handed to Ghostscript.
    """
    for fmt, prefixes in _SIGNATURES.items():
        if data.startswith(prefixes) and (fmt != "WEBP" or data[8:12] == b"WEBP"):
            return fmt
    return None


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
        if not 1 <= size <= MAX_SIDE:
            raise ValueError(f"`size` must be from 1 to {MAX_SIDE:,} (MAX_SIDE), got {value_text(size)}")
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


def _bytes_text(n: int) -> str:
    """A byte count as written in messages: ``8 MB (8,388,608 bytes)``."""
    mb = n / (1024 * 1024)
    return f"{mb:.3g} MB ({n:,} bytes)" if n >= 1024 * 1024 else f"{n:,} bytes"


def _too_large(label: str, n: int, max_bytes: int) -> ValueError:
    return KitValueError(
        f"{label} is too large: {_bytes_text(n)}, the limit is {_bytes_text(max_bytes)}",
        code="image_too_large",
        name=label,
    )


def _read_source(source: Any, max_bytes: int, name: str | None) -> tuple[bytes, str]:
    if name is not None and not isinstance(name, str):
        raise TypeError(f"`name` must be a str or None, got {type(name).__name__}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name if name else "the upload"
        n = source.nbytes if isinstance(source, memoryview) else len(source)
        if n > max_bytes:
            raise _too_large(label, n, max_bytes)
        return bytes(source), label
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not isinstance(path, str):
            raise TypeError(f"`source` must be a path or the file's bytes, got a bytes path {path!r}")
        label = name if name else f"file {os.path.basename(path)!r}"
        # opened without blocking (a FIFO would wait forever for a writer), then checked
        # to be a regular file (not a directory, a FIFO or a device) before reading
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise KitValueError(
                f"cannot read {label}: {exc.strerror or 'no such file'}", code="file_unreadable", name=label
            ) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            os.close(fd)
            if info.st_size > max_bytes and stat.S_ISREG(info.st_mode):
                raise _too_large(label, info.st_size, max_bytes)
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise KitValueError(
                f"cannot read {label}: it is {kind}, not an image file", code="file_unreadable", name=label
            )
        with open(fd, "rb", closefd=True) as fh:
            content = fh.read(max_bytes + 1)
        if len(content) > max_bytes:  # grew while being read
            raise _too_large(label, len(content), max_bytes)
        return content, label
    raise TypeError(f"`source` must be a path or the file's bytes, got {type(source).__name__}")


def _check_dims(label: str, height: int, width: int, max_pixels: int) -> None:
    if height < 1 or width < 1:
        raise KitValueError(
            f"{label} has absurd dimensions {width}x{height}: an image needs at least one pixel",
            code="image_bad_dimensions",
            name=label,
            width=width,
            height=height,
        )
    if max(height, width) > MAX_SIDE:
        raise KitValueError(
            f"{label} has absurd dimensions {width}x{height}: the longest side may be at most {MAX_SIDE:,} pixels",
            code="image_bad_dimensions",
            name=label,
            width=width,
            height=height,
        )
    if height * width > max_pixels:
        raise KitValueError(
            f"{label} is too large: {width}x{height} = {height * width:,} pixels, the limit is {max_pixels:,}",
            code="image_too_large",
            name=label,
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

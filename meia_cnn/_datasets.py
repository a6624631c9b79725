"""Data for learning about position: a shapes set and an MNIST (idx) reader.

Reached through :mod:`meia_cnn.data` (``data.shapes``, ``data.read_idx``,
``data.load_mnist``), which imports this module on first use.

* :func:`shapes` draws circles, squares, triangles and crosses (the pixels
  :mod:`skimage.draw` would fill) at random positions and sizes, optionally only inside
  one region of the image: train where objects sit on the left, test where
  they sit on the right, and a dense network that never saw the right half
  struggles where a CNN with pooling does not (the lecture's first slide,
  "position invariance of features").
* :func:`read_idx` reads one file in the idx format of LeCun's MNIST files
  (plain or gzipped), checking every field; :func:`load_mnist` reads the
  usual four files from a folder.  Nothing is ever downloaded.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _image
from ._validation import as_int, is_int

__all__ = [
    "SHAPE_NAMES",
    "REGIONS",
    "MAX_SHAPE_PIXELS",
    "shapes",
    "IDX_DTYPES",
    "MAX_IDX_BYTES",
    "read_idx",
    "load_mnist",
]

#: The classes of :func:`shapes`; a label is an index into the ``classes`` asked for.
SHAPE_NAMES = ("circle", "square", "triangle", "cross")

#: Named regions of :func:`shapes`: ``((top, bottom), (left, right))`` as
#: fractions of the image side.  Every shape lies wholly inside its region.
REGIONS = {
    "anywhere": ((0.0, 1.0), (0.0, 1.0)),
    "left": ((0.0, 1.0), (0.0, 0.5)),
    "right": ((0.0, 1.0), (0.5, 1.0)),
    "top": ((0.0, 0.5), (0.0, 1.0)),
    "bottom": ((0.5, 1.0), (0.0, 1.0)),
    "center": ((0.25, 0.75), (0.25, 0.75)),
    "top-left": ((0.0, 0.5), (0.0, 0.5)),
    "top-right": ((0.0, 0.5), (0.5, 1.0)),
    "bottom-left": ((0.5, 1.0), (0.0, 0.5)),
    "bottom-right": ((0.5, 1.0), (0.5, 1.0)),
}

#: Largest set :func:`shapes` makes, in pixels (``n * size * size``): 200 MB of float32.
MAX_SHAPE_PIXELS = 50_000_000
_MIN_RADIUS = 2.0


# ---------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------
def shapes(
    n: int,
    size: int = 32,
    *,
    seed: int | np.random.Generator | None = 0,
    classes: Sequence[str] = SHAPE_NAMES,
    region: str | Sequence[Sequence[float]] = "anywhere",
    radius: float | tuple[float, float] = (0.12, 0.22),
    noise: float = 0.0,
    return_info: bool = False,
) -> tuple[Any, ...]:
    """A labelled set of white shapes on black at random positions and sizes.

    Parameters
    ----------
    n : int
        Number of images (>= 1).  Classes are balanced: they take turns,
        then the order is shuffled.
    size : int
        Side of the square images, 8 to 512 pixels.
    seed : int, numpy.random.Generator or None
        Same seed, same images (the default, 0, makes every call alike).
    classes : sequence of str
        Which of :data:`SHAPE_NAMES`, in the order that defines the labels.
    region : str or ((float, float), (float, float))
        Where shapes may sit: a name from :data:`REGIONS` (``'anywhere'``,
        ``'left'``, ``'right'``, ``'top'``, ``'bottom'``, ``'center'``,
        ``'top-left'``...) or ``((top, bottom), (left, right))`` as fractions of
        the side, e.g. ``((0, 1), (0, 0.4))``.  Each shape lies wholly inside.
    radius : float or (float, float)
        Half the shape's width, as a fraction of ``size``, drawn uniformly
        from the range (shapes that would not fit the region are made
        smaller).  At least 2 pixels; at most half the side.
    noise : float
        Standard deviation of Gaussian noise added (then clipped to [0, 1]).
    return_info : bool
        Also return a dict with each shape's ``'center'`` (n, 2) as
        (row, column) and ``'radius'`` (n,) in pixels, and the ``'classes'``.

    Returns
    -------
    X : (n, size, size, 1) array of float32 in [0, 1]
    y : (n,) array of int64 in 0..len(classes)-1
    info : dict, only with ``return_info=True``

    Examples
    --------
    >>> X, y = shapes(8, size=32, seed=0)
    >>> X.shape, X.dtype, y.dtype
    ((8, 32, 32, 1), dtype('float32'), dtype('int64'))
    >>> sorted(y.tolist())  # balanced: each of the 4 classes twice
    [0, 0, 1, 1, 2, 2, 3, 3]
    >>> X_left, _ = shapes(100, region="left", seed=1)
    >>> float(X_left[:, :, 16:].max())  # nothing in the right half
    0.0
    >>> _, y2, info = shapes(3, classes=("circle", "cross"), return_info=True)
    >>> info["classes"], info["center"].shape
    (('circle', 'cross'), (3, 2))
    """
    n = as_int(n, "n")
    size = as_int(size, "size", minimum=8)
    if size > 512:
        raise ValueError(f"`size` must be <= 512, got {size}")
    if n * size * size > MAX_SHAPE_PIXELS:
        raise ValueError(
            f"`n` * `size`**2 = {n:,} * {size}**2 = {n * size * size:,} pixels is too many; "
            f"the limit is {MAX_SHAPE_PIXELS:,} ({MAX_SHAPE_PIXELS * 4 // 10**6} MB of float32)"
        )
    rng = _rng(seed)
    classes = _check_classes(classes)
    (top, bottom), (left, right) = _check_region(region)
    r_lo, r_hi = _check_radius(radius)
    noise = _check_noise(noise)

    # pixel centres are at 0..size-1; the image spans [-0.5, size - 0.5]
    rows = (top * size - 0.5, bottom * size - 0.5)
    cols = (left * size - 0.5, right * size - 0.5)
    room = min(rows[1] - rows[0], cols[1] - cols[0]) / 2.0
    r_min, r_max = r_lo * size, min(r_hi * size, room)
    if r_min < _MIN_RADIUS:
        raise ValueError(
            f"`radius`={radius!r} gives shapes of radius {r_min:.2g} pixels at size={size}: "
            f"at least {_MIN_RADIUS:g} pixels are needed (use a larger radius or size)"
        )
    if r_min > room:
        raise ValueError(
            f"`region`={region!r} is {2 * room:.3g} pixels wide at size={size}: too small for "
            f"shapes of radius {r_min:.3g} pixels (`radius`={radius!r})"
        )

    k = len(classes)
    labels = rng.permutation(np.arange(n) % k)
    r = rng.uniform(r_min, r_max, size=n)
    cy = rng.uniform(rows[0] + r, rows[1] - r)
    cx = rng.uniform(cols[0] + r, cols[1] - r)
    X = np.zeros((n, size, size), dtype=np.float32)
    shape = (size, size)
    kinds = [SHAPE_NAMES.index(c) for c in classes]
    for i in range(n):
        kind = kinds[labels[i]]
        for rr, cc in _draw(kind, cy[i], cx[i], r[i], shape):
            X[i, rr, cc] = 1.0
    if noise:
        X += rng.normal(0.0, noise, size=X.shape).astype(np.float32)
        np.clip(X, 0.0, 1.0, out=X)
    X = X[..., np.newaxis]
    y = labels.astype(np.int64)
    if return_info:
        info = {"center": np.stack([cy, cx], axis=1), "radius": r, "classes": classes}
        return X, y, info
    return X, y


def _draw(kind: int, cy: float, cx: float, r: float, shape: tuple[int, int]) -> list[Any]:
    """Pixel indices of one shape that fits the box [c - r, c + r]^2."""
    if kind == 0:  # circle
        return [_image.disk((cy, cx), r, shape=shape)]
    if kind == 1:  # square, a little smaller than the box so its area is near the circle's
        a = 0.85 * r
        return [_image.polygon([cy - a, cy - a, cy + a, cy + a], [cx - a, cx + a, cx + a, cx - a], shape=shape)]
    if kind == 2:  # triangle, apex up
        return [_image.polygon([cy - r, cy + r, cy + r], [cx, cx + r, cx - r], shape=shape)]
    t = max(0.75, 0.3 * r)  # cross: two bars of half-thickness t
    return [
        _image.polygon([cy - t, cy - t, cy + t, cy + t], [cx - r, cx + r, cx + r, cx - r], shape=shape),
        _image.polygon([cy - r, cy - r, cy + r, cy + r], [cx - t, cx + t, cx + t, cx - t], shape=shape),
    ]


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if not is_int(seed):
        raise TypeError(f"`seed` must be an int >= 0, a numpy Generator or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"`seed` must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _check_classes(classes: Any) -> tuple[str, ...]:
    rule = f"a sequence of distinct names from {', '.join(SHAPE_NAMES)}"
    if isinstance(classes, str) or not isinstance(classes, (tuple, list)):
        raise TypeError(f"`classes` must be {rule}, got {classes!r}")
    unknown = [c for c in classes if c not in SHAPE_NAMES]
    if unknown:
        raise ValueError(f"`classes` must be {rule}; {unknown[0]!r} is not one")
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"`classes` must be {rule} (at least one, no repeats), got {classes!r}")
    return tuple(classes)


def _check_region(region: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    if isinstance(region, str):
        if region not in REGIONS:
            raise ValueError(
                f"`region` must be one of {', '.join(REGIONS)} or ((top, bottom), (left, right)) "
                f"fractions; got {region!r}"
            )
        return REGIONS[region]
    rule = "((top, bottom), (left, right)) with 0 <= top < bottom <= 1 and 0 <= left < right <= 1"
    try:
        (top, bottom), (left, right) = region
        values = [float(v) for v in (top, bottom, left, right)]
    except (TypeError, ValueError):
        raise TypeError(f"`region` must be a name from {', '.join(REGIONS)} or {rule}, got {region!r}") from None
    top, bottom, left, right = values
    if not all(math.isfinite(v) for v in values) or not (0 <= top < bottom <= 1 and 0 <= left < right <= 1):
        raise ValueError(f"`region` must be {rule}, got {region!r}")
    return (top, bottom), (left, right)


def _check_radius(radius: Any) -> tuple[float, float]:
    rule = "a fraction of the size in (0, 0.5], or a pair (low, high) with low <= high"
    pair = (radius, radius) if isinstance(radius, (int, float)) and not isinstance(radius, bool) else radius
    try:
        lo, hi = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise TypeError(f"`radius` must be {rule}, got {radius!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi <= 0.5):
        raise ValueError(f"`radius` must be {rule}, got {radius!r}")
    return lo, hi


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating, np.integer)):
        raise TypeError(f"`noise` must be a number >= 0, got {noise!r}")
    noise = float(noise)
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"`noise` must be a finite number >= 0, got {noise!r}")
    return noise


# ---------------------------------------------------------------------------
# idx files (MNIST)
# ---------------------------------------------------------------------------
#: Data type codes of the idx format (third byte of the magic number).
IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
#: Largest idx content :func:`read_idx` accepts, in bytes, before or after
#: decompression (MNIST's largest file is 47 MB).
MAX_IDX_BYTES = 256 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview, *, max_bytes: int = MAX_IDX_BYTES
) -> np.ndarray:
    """Read one file in the idx format (the format of the MNIST files).

    The format: a magic number of 4 bytes (two zero bytes, a data type code
    from :data:`IDX_DTYPES`, the number of dimensions), then each dimension as
    a big-endian 4-byte unsigned int, then the values, big-endian, row-major.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray or memoryview
        A path or the file's content; gzipped content (``.gz``) is recognised
        by its own magic number and decompressed.
    max_bytes : int
        Refuse content larger than this, before or after decompression.

    Returns
    -------
    ndarray
        Of the shape the header declares, in native byte order (uint8,
        int8, int16, int32, float32 or float64).

    Raises
    ------
    ValueError
        Bad magic number, unknown type code, truncated header or data,
        trailing bytes, content too large, broken gzip.
    FileNotFoundError
        ``source`` is a path that does not exist.
    TypeError
        ``source`` is neither a path nor bytes.

    Examples
    --------
    >>> import struct
    >>> content = bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2, 3) + bytes(range(6))
    >>> read_idx(content)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    >>> read_idx(content[:-1])
    Traceback (most recent call last):
    ...
    ValueError: idx content is truncated: the header declares shape (2, 3) of uint8, 6 bytes of data, but 5 bytes follow the header
    """
    max_bytes = as_int(max_bytes, "max_bytes")
    data, label = _idx_content(source, max_bytes)
    if len(data) < 4:
        raise ValueError(f"{label} is too short to be an idx file: {len(data)} bytes, the magic number alone takes 4")
    magic = int.from_bytes(data[:4], "big")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(
            f"{label} is not an idx file: its magic number 0x{magic:08X} should start "
            f"with two zero bytes (MNIST images: 0x00000803, labels: 0x00000801)"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} ({IDX_DTYPES[c].name})" for c in IDX_DTYPES)
        raise ValueError(f"{label} has an unknown idx data type code 0x{code:02X}; known: {known}")
    if ndim == 0:
        raise ValueError(f"{label} declares 0 dimensions (magic number 0x{magic:08X}); an idx file has at least 1")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{label} is truncated: its header declares {ndim} dimensions and needs "
            f"{header} bytes, the content has {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize
    if expected > max_bytes:
        raise ValueError(
            f"{label} declares shape {dims} of {dtype.name}, {expected:,} bytes of data: "
            f"more than the limit of {max_bytes:,} bytes"
        )
    present = len(data) - header
    if present < expected:
        raise ValueError(
            f"{label} is truncated: the header declares shape {dims} of {dtype.name}, "
            f"{expected:,} bytes of data, but {present:,} bytes follow the header"
        )
    if present > expected:
        raise ValueError(
            f"{label} has {present - expected:,} unexpected bytes after the "
            f"{expected:,} bytes of data its header (shape {dims}) declares"
        )
    values = np.frombuffer(data, dtype=dtype, count=math.prod(dims), offset=header)
    return values.reshape(dims).astype(dtype.newbyteorder("="))


def _idx_content(source: Any, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), "idx content"
        if len(data) > max_bytes:
            raise ValueError(f"{label} is too large: {len(data):,} bytes, the limit is {max_bytes:,}")
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        label = f"file {path!r}"
        if not os.path.exists(path):
            raise FileNotFoundError(f"{label} does not exist")
        if not os.path.isfile(path):
            raise ValueError(f"{label} is not a regular file")
        n = os.path.getsize(path)
        if n > max_bytes:
            raise ValueError(f"{label} is too large: {n:,} bytes, the limit is {max_bytes:,}")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        raise TypeError(f"`source` must be a path or the file's bytes, got {type(source).__name__}")
    if data[:2] == _GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{label} looks gzipped but cannot be decompressed: {exc}") from None
        if len(data) > max_bytes:
            raise ValueError(f"{label} decompresses to more than the limit of {max_bytes:,} bytes")
        label += " (gzipped)"
    return data, label


_MNIST_HELP = (
    "meia_cnn never downloads anything: get the four MNIST files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
    "t10k-labels-idx1-ubyte.gz) from Yann LeCun's page http://yann.lecun.com/exdb/mnist/ "
    "or one of its mirrors, and put them, gzipped or not, in that folder"
)


def load_mnist(
    directory: str | os.PathLike[str], kind: str = "train", *, max_bytes: int = MAX_IDX_BYTES
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Read MNIST (or Fashion-MNIST, same format) from a folder you already have.

    Looks for ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``
    (``kind='train'``) or ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte`` (``kind='test'``), plain or with ``.gz``; the
    spelling ``train-images.idx3-ubyte`` is accepted too.  Nothing is ever
    downloaded.

    Parameters
    ----------
    directory : str or os.PathLike
    kind : {'train', 'test'}
    max_bytes : int
        Passed to :func:`read_idx`.

    Returns
    -------
    X : (N, 28, 28, 1) array of float32 in [0, 1]
    y : (N,) array of int64

    Raises
    ------
    FileNotFoundError
        The folder or a file is missing (the message says where to get them).
    ValueError
        A file is not what it should be (see :func:`read_idx`), or images
        and labels disagree in number.

    Examples
    --------
    >>> load_mnist("/no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: MNIST folder '/no/such/folder' does not exist. meia_cnn never downloads anything: get the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) from Yann LeCun's page http://yann.lecun.com/exdb/mnist/ or one of its mirrors, and put them, gzipped or not, in that folder
    """
    if not isinstance(kind, str) or kind not in ("train", "test", "t10k"):
        raise ValueError(f"`kind` must be 'train' or 'test', got {kind!r}")
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"`directory` must be a path, got {type(directory).__name__}")
    folder = os.fspath(directory)
    if not os.path.exists(folder):
        raise FileNotFoundError(f"MNIST folder {folder!r} does not exist. {_MNIST_HELP}")
    if not os.path.isdir(folder):
        raise ValueError(f"`directory` {folder!r} is not a folder. {_MNIST_HELP}")
    prefix = "train" if kind == "train" else "t10k"
    images = read_idx(_find(folder, prefix, "images", 3), max_bytes=max_bytes)
    labels = read_idx(_find(folder, prefix, "labels", 1), max_bytes=max_bytes)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"the {prefix} images file holds {images.dtype} of shape {images.shape}; "
            f"MNIST images are uint8 of shape (N, rows, columns)"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"the {prefix} labels file holds {labels.dtype} of shape {labels.shape}; "
            f"MNIST labels are uint8 of shape (N,)"
        )
    if len(images) != len(labels):
        raise ValueError(f"the {prefix} files disagree: {len(images):,} images but {len(labels):,} labels")
    X = (images.astype(np.float32) / np.float32(255.0))[..., np.newaxis]
    return X, labels.astype(np.int64)


def _find(folder: str, prefix: str, what: str, ndim: int) -> str:
    stems = (f"{prefix}-{what}-idx{ndim}-ubyte", f"{prefix}-{what}.idx{ndim}-ubyte")
    for stem in stems:
        for name in (stem, stem + ".gz"):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError(f"no {stems[0]} (or {stems[0]}.gz) in {folder!r}. {_MNIST_HELP}")

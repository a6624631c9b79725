"""The shapes set (position) and the idx/MNIST reader, through meia_cnn.data."""

import gzip
import math
import struct

import numpy as np
import pytest

from meia_cnn import _datasets, data


# ---------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------
def test_lazy_names_in_data():
    assert data.shapes is _datasets.shapes
    assert data.read_idx is _datasets.read_idx
    assert data.load_mnist is _datasets.load_mnist
    assert data.SHAPE_NAMES == ("circle", "square", "triangle", "cross")


def test_shapes_types_ranges_and_balance():
    X, y = data.shapes(200, size=32)
    assert X.shape == (200, 32, 32, 1) and X.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int64
    assert set(np.unique(X).tolist()) == {0.0, 1.0}  # no noise: binary drawings
    assert np.bincount(y).tolist() == [50, 50, 50, 50]
    assert (X.reshape(200, -1).sum(axis=1) >= 8).all()  # every image shows a shape


def test_shapes_reproducible_and_seeded():
    a = data.shapes(50, seed=7)
    b = data.shapes(50, seed=7)
    c = data.shapes(50, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    d = data.shapes(50, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], d[0])


def _inside(X, rows, cols):
    """True when every lit pixel of every image lies in rows x cols."""
    mask = np.zeros(X.shape[1:3], bool)
    mask[rows, cols] = True
    return not X[..., 0][:, ~mask].any()


@pytest.mark.parametrize(
    "region, rows, cols",
    [
        ("left", slice(None), slice(0, 16)),
        ("right", slice(None), slice(16, 32)),
        ("top", slice(0, 16), slice(None)),
        ("bottom", slice(16, 32), slice(None)),
        ("center", slice(8, 24), slice(8, 24)),
        ("bottom-right", slice(16, 32), slice(16, 32)),
        (((0.0, 1.0), (0.0, 0.75)), slice(None), slice(0, 24)),
    ],
)
def test_shapes_stay_in_their_region(region, rows, cols):
    X, _ = data.shapes(300, size=32, region=region, seed=3)
    assert _inside(X, rows, cols)


def test_train_left_test_right_do_not_overlap():
    # the notebook's experiment: objects on the left to train, on the right to test
    X_train, _ = data.shapes(500, region="left", seed=0)
    X_test, _ = data.shapes(500, region="right", seed=1)
    assert X_train[:, :, 16:].max() == 0 and X_train[:, :, :16].max() == 1
    assert X_test[:, :, :16].max() == 0 and X_test[:, :, 16:].max() == 1
    # anywhere: objects reach both halves
    X_any, _ = data.shapes(500, seed=2)
    assert X_any[:, :, :16].max() == 1 and X_any[:, :, 16:].max() == 1


def test_shapes_info_centres_radii_and_boxes():
    X, y, info = data.shapes(400, size=40, region="top-left", radius=(0.1, 0.2), seed=5, return_info=True)
    centre, r = info["center"], info["radius"]
    assert centre.shape == (400, 2) and r.shape == (400,)
    assert (r >= 4.0 - 1e-9).all() and (r <= 8.0 + 1e-9).all()
    assert (centre - r[:, None] >= -0.5).all() and (centre + r[:, None] <= 19.5).all()
    rows, cols = np.indices((40, 40))
    for i in range(400):  # every lit pixel lies in the shape's box [c - r, c + r]^2
        lit = X[i, :, :, 0] > 0
        assert (np.abs(rows[lit] - centre[i, 0]) <= r[i] + 1e-9).all()
        assert (np.abs(cols[lit] - centre[i, 1]) <= r[i] + 1e-9).all()


@pytest.mark.parametrize(
    "name, area",
    [
        ("circle", math.pi),  # pi r^2
        ("square", (2 * 0.85) ** 2),  # side 1.7 r
        ("triangle", 2.0),  # base 2r, height 2r
        ("cross", None),  # two bars, 2r long and 0.6r thick, overlapping
    ],
)
def test_each_class_has_its_area(name, area):
    X, y, info = data.shapes(200, size=64, classes=(name,), radius=(0.15, 0.25), seed=11, return_info=True)
    assert (y == 0).all() and info["classes"] == (name,)
    r = info["radius"]
    pixels = X.reshape(200, -1).sum(axis=1)
    if area is None:
        area = 2 * (2 * 0.6) - 0.6**2
    ratio = pixels / (area * r**2)
    assert 0.85 < ratio.mean() < 1.15, ratio.mean()


def test_triangle_points_up():
    X, _, info = data.shapes(100, size=64, classes=("triangle",), seed=2, return_info=True)
    rows = np.arange(64)[None, :, None]
    cy = info["center"][:, 0][:, None, None]
    img = X[..., 0]
    upper = (img * (rows < cy)).sum()
    lower = (img * (rows >= cy)).sum()
    assert lower > 2 * upper


def test_class_subsets_define_the_labels():
    X1, y1 = data.shapes(60, classes=("cross", "circle"), seed=4)
    assert set(y1.tolist()) == {0, 1}
    X_circles, _ = data.shapes(60, classes=("circle",), seed=4)
    X_crosses, _ = data.shapes(60, classes=("cross",), seed=4)
    # a cross and a circle of the same radius differ; the labels follow `classes`
    fill = X1.reshape(60, -1).sum(axis=1)
    assert fill[y1 == 1].mean() > fill[y1 == 0].mean()  # circles are fuller than crosses
    assert X_circles.sum() > X_crosses.sum()


def test_noise_stays_in_unit_range():
    X, _ = data.shapes(100, noise=0.2, seed=0)
    assert X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert len(np.unique(X)) > 100


def test_other_sizes():
    X, _ = data.shapes(5, size=8, radius=0.25)
    assert X.shape == (5, 8, 8, 1)
    X, _ = data.shapes(2, size=128)
    assert X.shape == (2, 128, 128, 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=0), ValueError, "`n` must be >= 1, got 0"),
        (dict(n=2.5), TypeError, "`n` must be an int >= 1, got 2.5"),
        (dict(n=10, size=7), ValueError, "`size` must be >= 8, got 7"),
        (dict(n=10, size=1000), ValueError, "`size` must be <= 512, got 1000"),
        (dict(n=10, size="32"), TypeError, "`size` must be an int >= 8, got '32'"),
        (
            dict(n=1_000_000, size=64),
            ValueError,
            r"`n` \* `size`\*\*2 = 1,000,000 \* 64\*\*2 = 4,096,000,000 pixels is too many",
        ),
        (dict(n=10, seed=-1), ValueError, "`seed` must be >= 0, got -1"),
        (dict(n=10, seed=1.5), TypeError, "`seed` must be an int >= 0, a numpy Generator or None, got 1.5"),
        (
            dict(n=10, classes="circle"),
            TypeError,
            "`classes` must be a sequence of distinct names from circle, square, triangle, cross, got 'circle'",
        ),
        (dict(n=10, classes=("circle", "hexagon")), ValueError, "`classes` must be .*'hexagon' is not one"),
        (dict(n=10, classes=("circle", "circle")), ValueError, r"`classes` must be .*\(at least one, no repeats\)"),
        (dict(n=10, classes=()), ValueError, r"\(at least one, no repeats\), got \(\)"),
        (dict(n=10, region="middle"), ValueError, "`region` must be one of anywhere, left, right.*got 'middle'"),
        (dict(n=10, region=((0.5, 0.2), (0, 1))), ValueError, "`region` must be .*0 <= top < bottom <= 1.*got"),
        (dict(n=10, region=((0, 1), (0, 1.5))), ValueError, "`region` must be .*left < right <= 1"),
        (dict(n=10, region=(0, 1)), TypeError, "`region` must be a name from anywhere.*got \\(0, 1\\)"),
        (
            dict(n=10, region=((0, 1), (0, 0.1))),
            ValueError,
            "`region`=.* is 3.2 pixels wide at size=32: too small for shapes of radius 3.84",
        ),
        (dict(n=10, radius=(0.3, 0.2)), ValueError, "`radius` must be a fraction .*low <= high, got \\(0.3, 0.2\\)"),
        (dict(n=10, radius=0.6), ValueError, "`radius` must be .*got 0.6"),
        (dict(n=10, radius=0), ValueError, "`radius` must be .*got 0"),
        (dict(n=10, radius="big"), TypeError, "`radius` must be .*got 'big'"),
        (
            dict(n=10, radius=0.05),
            ValueError,
            "`radius`=0.05 gives shapes of radius 1.6 pixels at size=32: at least 2 pixels",
        ),
        (dict(n=10, noise=-0.1), ValueError, "`noise` must be a finite number >= 0, got -0.1"),
        (dict(n=10, noise=float("nan")), ValueError, "`noise` must be a finite number >= 0, got nan"),
        (dict(n=10, noise="0.1"), TypeError, "`noise` must be a number >= 0, got '0.1'"),
    ],
)
def test_shapes_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.shapes(**kwargs)


# ---------------------------------------------------------------------------
# idx files
# ---------------------------------------------------------------------------
CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array, code=None):
    """The idx encoding of ``array``, written independently of the reader."""
    array = np.asarray(array)
    code = CODES[array.dtype.type] if code is None else code
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype", list(CODES))
def test_read_idx_round_trip_every_type(dtype):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    out = data.read_idx(idx_bytes(array))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, array)
    out.flat[0] = 1  # a writable copy


def test_read_idx_known_bytes():
    # MNIST labels header: magic 0x00000801, one dimension
    content = bytes.fromhex("00000801 00000004 07020109")
    np.testing.assert_array_equal(data.read_idx(content), [7, 2, 1, 9])
    content = bytes.fromhex("0000 0B 02 00000001 00000002 0102 FFFE")
    np.testing.assert_array_equal(data.read_idx(content), [[258, -2]])


def test_read_idx_paths_plain_and_gzipped(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    plain = tmp_path / "a-idx3-ubyte"
    plain.write_bytes(idx_bytes(array))
    packed = tmp_path / "a-idx3-ubyte.gz"
    packed.write_bytes(gzip.compress(idx_bytes(array)))
    for source in (
        plain,
        str(plain),
        packed,
        str(packed),
        packed.read_bytes(),
        bytearray(plain.read_bytes()),
        memoryview(plain.read_bytes()),
    ):
        np.testing.assert_array_equal(data.read_idx(source), array)


def test_read_idx_empty_dimension():
    out = data.read_idx(bytes([0, 0, 8, 2]) + struct.pack(">II", 0, 28))
    assert out.shape == (0, 28)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "idx content is too short to be an idx file: 0 bytes"),
        (b"\x00\x00\x08", "too short to be an idx file: 3 bytes"),
        (
            b"\x01\x00\x08\x01\x00\x00\x00\x01\x05",
            "is not an idx file: its magic number 0x01000801 should start with two zero bytes",
        ),
        (b"PK\x03\x04rest", "magic number 0x504B0304"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown idx data type code 0x07; known: 0x08 \\(uint8\\)"),
        (b"\x00\x00\x08\x00", "declares 0 dimensions"),
        (
            b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00",
            "is truncated: its header declares 3 dimensions and needs 16 bytes, the content has 10",
        ),
        (
            b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03",
            r"is truncated: the header declares shape \(2, 2\) of uint8, 4 bytes of data, but 3 bytes follow",
        ),
        (
            b"\x00\x00\x0c\x01\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00",
            r"shape \(2,\) of int32, 8 bytes of data, but 7 bytes",
        ),
        (
            b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02\x03",
            r"has 1 unexpected bytes after the 2 bytes of data its header \(shape \(2,\)\) declares",
        ),
        (
            b"\x00\x00\x0e\x02\xff\xff\xff\xff\xff\xff\xff\xff",
            r"declares shape \(4294967295, 4294967295\) of float64, .* bytes of data: more than the limit",
        ),
        (b"\x1f\x8b\x08\x00garbage", "looks gzipped but cannot be decompressed"),
    ],
)
def test_read_idx_refuses_bad_content(content, match):
    with pytest.raises(ValueError, match=match):
        data.read_idx(content)


def test_read_idx_size_limits(tmp_path):
    array = np.zeros((10, 10), np.uint8)
    content = idx_bytes(array)
    with pytest.raises(ValueError, match="idx content is too large: 112 bytes, the limit is 100"):
        data.read_idx(content, max_bytes=100)
    path = tmp_path / "big"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="file .*big' is too large: 112 bytes, the limit is 100"):
        data.read_idx(path, max_bytes=100)
    bomb = gzip.compress(idx_bytes(np.zeros((1000, 1000), np.uint8)))
    assert len(bomb) < 10_000
    with pytest.raises(ValueError, match="decompresses to more than the limit of 100,000 bytes"):
        data.read_idx(bomb, max_bytes=100_000)
    with pytest.raises(ValueError, match="`max_bytes` must be >= 1, got 0"):
        data.read_idx(content, max_bytes=0)


def test_read_idx_bad_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="file '.*nothing-here' does not exist"):
        data.read_idx(tmp_path / "nothing-here")
    with pytest.raises(ValueError, match="is not a regular file"):
        data.read_idx(tmp_path)
    with pytest.raises(TypeError, match="`source` must be a path or the file's bytes, got list"):
        data.read_idx([0, 0, 8, 1])


# ---------------------------------------------------------------------------
# load_mnist
# ---------------------------------------------------------------------------
def _write_mnist(folder, prefix, n=5, side=28, *, gz=False, dotted=False, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    sep = "." if dotted else "-"
    for what, ndim, array in (("images", 3, images), ("labels", 1, labels)):
        content = idx_bytes(array)
        name = f"{prefix}-{what}{sep}idx{ndim}-ubyte"
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return images, labels


def test_load_mnist_plain_and_gzipped(tmp_path):
    images, labels = _write_mnist(tmp_path, "train")
    test_images, test_labels = _write_mnist(tmp_path, "t10k", n=3, gz=True, seed=1)
    X, y = data.load_mnist(tmp_path)
    assert X.shape == (5, 28, 28, 1) and X.dtype == np.float32
    assert y.dtype == np.int64
    np.testing.assert_allclose(X[..., 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    Xt, yt = data.load_mnist(str(tmp_path), kind="test")
    assert Xt.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(yt, test_labels)
    assert 0.0 <= Xt.min() and Xt.max() <= 1.0


def test_load_mnist_dotted_names(tmp_path):
    images, labels = _write_mnist(tmp_path, "t10k", n=2, side=4, dotted=True)
    X, y = data.load_mnist(tmp_path, kind="test")
    assert X.shape == (2, 4, 4, 1)
    np.testing.assert_array_equal(y, labels)


def test_load_mnist_missing_never_downloads(tmp_path):
    with pytest.raises(
        FileNotFoundError,
        match="MNIST folder '.*nope' does not exist. meia_cnn never downloads anything: get the four MNIST files",
    ):
        data.load_mnist(tmp_path / "nope")
    with pytest.raises(
        FileNotFoundError,
        match=r"no train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\) in .*never downloads anything.*yann.lecun.com",
    ):
        data.load_mnist(tmp_path)
    _write_mnist(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="no t10k-images-idx3-ubyte"):
        data.load_mnist(tmp_path, kind="test")


def test_load_mnist_bad_arguments_and_files(tmp_path):
    with pytest.raises(ValueError, match="`kind` must be 'train' or 'test', got 'validation'"):
        data.load_mnist(tmp_path, kind="validation")
    with pytest.raises(TypeError, match="`directory` must be a path, got int"):
        data.load_mnist(3)
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    with pytest.raises(ValueError, match="`directory` '.*file.txt' is not a folder"):
        data.load_mnist(afile)

    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((3, 4, 4), np.uint8)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(2, np.uint8)))
    with pytest.raises(ValueError, match="the train files disagree: 3 images but 2 labels"):
        data.load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros((3, 1), np.uint8)))
    with pytest.raises(
        ValueError, match=r"labels file holds uint8 of shape \(3, 1\); MNIST labels are uint8 of shape \(N,\)"
    ):
        data.load_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((3, 4, 4), np.int32)))
    with pytest.raises(ValueError, match=r"images file holds int32 of shape \(3, 4, 4\)"):
        data.load_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03")
    with pytest.raises(ValueError, match="is truncated"):
        data.load_mnist(tmp_path)


def test_core_data_needs_no_widgets_or_plotting():
    import subprocess
    import sys

    code = (
        "import sys, meia_cnn.data as d, meia_cnn.architectures as a;"
        "d.shapes(4); d.read_idx(bytes([0, 0, 8, 1, 0, 0, 0, 1, 5])); a.summary('googlenet');"
        "print(','.join(m for m in ('ipywidgets', 'matplotlib', 'ipympl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

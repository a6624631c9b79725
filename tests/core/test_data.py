"""Sample images, digits and the safe loader."""

import gzip
import io

import numpy as np
import pytest
from PIL import Image

from meia_cnn import data


def _png(array, mode=None):
    buf = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", data.SAMPLE_NAMES)
def test_every_sample_loads_in_unit_range(name):
    image = data.sample_image(name, size=32)
    assert image.dtype == np.float64
    assert image.ndim in (2, 3) and max(image.shape[:2]) == 32
    assert 0.0 <= image.min() and image.max() <= 1.0


def test_sample_grey_and_sizes():
    assert data.sample_image("astronaut", grey=True).shape == (512, 512)
    assert data.sample_image("coins", size=(30, 40)).shape == (30, 40)
    assert data.sample_image("camera").max() == pytest.approx(1.0, abs=0.01)
    a = data.sample_image("camera")
    a[0, 0] = 5  # a caller may modify its copy; the cache is untouched
    assert data.sample_image("camera")[0, 0] <= 1.0


def test_sample_unknown_name():
    with pytest.raises(ValueError, match="`name` must be one of camera, astronaut.*got 'lena'"):
        data.sample_image("lena")


def test_digits():
    images, labels = data.digits()
    assert images.shape == (1797, 8, 8, 1) and labels.shape == (1797,)
    assert images.dtype == np.float64 and data.digits(dtype=np.float32)[0].dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))
    with pytest.raises(TypeError, match="`dtype` must be float32 or float64, got int64"):
        data.digits(dtype=np.int64)


def test_load_image_round_trip_png_bytes_and_path(tmp_path):
    rgb = (np.arange(4 * 5 * 3) * 4 % 256).astype(np.uint8).reshape(4, 5, 3)
    content = _png(rgb)
    image = data.load_image(content)
    np.testing.assert_allclose(image, rgb / 255.0)
    path = tmp_path / "x.png"
    path.write_bytes(content)
    np.testing.assert_allclose(data.load_image(path), image)
    np.testing.assert_allclose(data.load_image(memoryview(content)), image)
    grey = data.load_image(content, grey=True, size=10)
    assert grey.shape == (8, 10)


def test_load_image_alpha_and_grey_png():
    rgba = np.zeros((3, 3, 4), np.uint8)
    rgba[..., 3] = 0  # fully transparent black over white is white
    np.testing.assert_allclose(data.load_image(_png(rgba)), np.ones((3, 3, 3)))
    grey = np.full((3, 4), 128, np.uint8)
    out = data.load_image(_png(grey))
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, 128 / 255)


def test_load_image_jpeg_and_gif_first_frame():
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(buf, format="JPEG")
    assert data.load_image(buf.getvalue()).shape == (8, 8, 3)
    frames = [Image.fromarray(np.full((6, 7), v, np.uint8)) for v in (10, 250)]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:])
    first = data.load_image(gif.getvalue(), grey=True)
    assert first.shape == (6, 7)


def test_load_image_refuses_non_images():
    with pytest.raises(ValueError, match="is not an image that can be read"):
        data.load_image(b"definitely not an image")
    with pytest.raises(ValueError, match="is not an image that can be read"):
        data.load_image(gzip.compress(b"hello"))


def test_load_image_refuses_truncated_file():
    content = _png(np.zeros((64, 64), np.uint8) + np.arange(64, dtype=np.uint8))
    with pytest.raises(ValueError, match="could not be decoded|not a readable image|not an image"):
        data.load_image(content[: len(content) // 2])


def test_load_image_refuses_empty():
    with pytest.raises(ValueError, match=r"is empty \(0 bytes\)"):
        data.load_image(b"")


def test_load_image_refuses_large_files(tmp_path):
    with pytest.raises(ValueError, match="too large: 2,000 bytes, the limit is 1,000 bytes"):
        data.load_image(b"\0" * 2000, max_bytes=1000)
    path = tmp_path / "big.bin"
    path.write_bytes(b"\0" * 2000)
    with pytest.raises(ValueError, match="file 'big.bin' is too large"):
        data.load_image(path, max_bytes=1000)


def test_load_image_refuses_absurd_dimensions():
    content = _png(np.zeros((10, 30), np.uint8))
    with pytest.raises(ValueError, match="30x10 = 300 pixels, the limit is 100"):
        data.load_image(content, max_pixels=100)
    # a decompression bomb: a tiny file that claims a 30000-pixel side
    bomb = _png(np.zeros((1, 30_000), np.uint8))
    assert len(bomb) < 2000
    with pytest.raises(ValueError, match="absurd dimensions 30000x1: the longest side may be at most 20,000"):
        data.load_image(bomb)


def test_load_image_missing_path_and_bad_type(tmp_path):
    with pytest.raises(ValueError, match="cannot read .*nope.png"):
        data.load_image(tmp_path / "nope.png")
    with pytest.raises(TypeError, match="`source` must be a path or the file's bytes, got int"):
        data.load_image(42)


def test_bad_resize():
    with pytest.raises(ValueError, match="`size` must be >= 1, got 0"):
        data.sample_image("camera", size=0)

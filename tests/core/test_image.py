"""The core's own image operations (meia_cnn._image) against scikit-image and SciPy."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.draw
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.color import rgb2gray
from skimage.feature import match_template
from skimage.filters import gaussian
from skimage.transform import resize
from skimage.util import img_as_float

from meia_cnn import _datasets, _image, data


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.uint32, np.int8, np.int16, np.int32, bool, np.float32, np.float64]
)
def test_to_float_is_img_as_float_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind in "ui":
        info = np.iinfo(dtype)
        image = rng.integers(info.min, info.max, size=(17, 9), endpoint=True, dtype=dtype)
    else:
        image = (rng.random((17, 9)) > 0.5) if dtype is bool else rng.random((17, 9)).astype(dtype)
    expected = img_as_float(image).astype(np.float64)
    got = _image.to_float(image)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


def test_rgb_to_grey_is_rgb2gray_bit_for_bit():
    rgb = np.random.default_rng(1).random((31, 23, 3))
    np.testing.assert_array_equal(_image.rgb_to_grey(rgb), rgb2gray(rgb))


@pytest.mark.parametrize("mode", ["nearest", "mirror", "reflect", "wrap"])
def test_gaussian_filter_is_scipys(mode):
    rng = np.random.default_rng(2)
    for _ in range(20):
        image = rng.standard_normal(tuple(rng.integers(1, 30, 2)))
        sigma = rng.uniform(0.2, 9, 2)
        np.testing.assert_allclose(
            _image.gaussian_filter(image, sigma, mode=mode),
            ndi.gaussian_filter(image, sigma, mode=mode),
            rtol=0,
            atol=1e-12,
        )
    noise = rng.standard_normal((56, 84))
    np.testing.assert_allclose(_image.gaussian_filter(noise, 1.5), gaussian(noise, sigma=1.5), rtol=0, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 70),
    w=st.integers(1, 70),
    th=st.integers(1, 90),
    tw=st.integers(1, 90),
    channels=st.sampled_from([0, 1, 3]),
    anti_aliasing=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_resize_is_skimages(h, w, th, tw, channels, anti_aliasing, seed):
    shape = (h, w) + ((channels,) if channels else ())
    image = np.random.default_rng(seed).random(shape)
    expected = resize(image, (th, tw), anti_aliasing=anti_aliasing, preserve_range=True)
    got = _image.resize(image, (th, tw), anti_aliasing=anti_aliasing)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_resize_of_the_sample_photos_is_skimages():
    for name, size in [("astronaut", 64), ("coffee", 60), ("camera", 700), ("horse", (30, 90))]:
        raw = data.sample_image(name)
        target = data._resize(raw, size).shape[:2]
        expected = resize(
            raw, target, anti_aliasing=target[0] < raw.shape[0] or target[1] < raw.shape[1], preserve_range=True
        )
        np.testing.assert_allclose(data.sample_image(name, size=size), np.clip(expected, 0, 1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_match_template_is_skimages(dtype):
    rng = np.random.default_rng(3)
    for _ in range(30):
        picture = rng.random((56, 84))
        template = rng.random(tuple(rng.integers(2, 25, 2)))
        got = _image.match_template(picture.astype(dtype), template.astype(dtype))
        assert got.dtype == dtype
        # the reference in float64: in float32 its FFT is off by up to ~3e-5
        np.testing.assert_allclose(
            got, match_template(picture, template), rtol=0, atol=1e-6 if dtype == np.float32 else 1e-10
        )
    flat = np.zeros((10, 10))
    assert not _image.match_template(flat, rng.random((3, 3))).any()  # a flat window scores 0, as in skimage


def _mask(rows_cols, shape):
    mask = np.zeros(shape, dtype=bool)
    mask[rows_cols] = True
    return mask


def test_disk_and_polygon_fill_the_pixels_skimage_fills():
    rng = np.random.default_rng(4)
    for trial in range(1500):
        shape = tuple(int(v) for v in rng.integers(5, 60, 2))
        k = int(rng.integers(3, 7))
        rows, cols = rng.uniform(-10, shape[0] + 10, k), rng.uniform(-10, shape[1] + 10, k)
        center, radius = (rng.uniform(-5, shape[0] + 5), rng.uniform(-5, shape[1] + 5)), rng.uniform(0.5, 25)
        if trial % 2:  # vertices and centres on pixel centres and edges: the boundary cases
            rows, cols = np.round(rows * 2) / 2, np.round(cols * 2) / 2
            center, radius = (round(center[0]), round(center[1])), float(round(radius))
        np.testing.assert_array_equal(
            _mask(_image.polygon(rows, cols, shape=shape), shape),
            _mask(skimage.draw.polygon(rows, cols, shape=shape), shape),
        )
        np.testing.assert_array_equal(
            _mask(_image.disk(center, radius, shape=shape), shape),
            _mask(skimage.draw.disk(center, radius, shape=shape), shape),
        )


class _SkimageDraw:
    """The drawing functions shapes() used before: scikit-image's."""

    @staticmethod
    def disk(center, radius, *, shape):
        return skimage.draw.disk(center, radius, shape=shape)

    @staticmethod
    def polygon(rows, cols, *, shape):
        return skimage.draw.polygon(rows, cols, shape=shape)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n=64, size=32, seed=0),
        dict(n=40, size=8, seed=1, radius=0.3),
        dict(n=40, size=57, seed=2, region="left", noise=0.1),
        dict(n=24, size=28, seed=3, classes=("cross", "triangle"), region="center"),
    ],
)
def test_shapes_are_the_same_images_as_with_skimage_draw(monkeypatch, kwargs):
    ours = _datasets.shapes(**kwargs)
    monkeypatch.setattr(_datasets, "_image", _SkimageDraw)
    theirs = _datasets.shapes(**kwargs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)

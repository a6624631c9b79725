"""PoolingExplorer: maxima, averages, equation (4) and the pooled photo agree with the core."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from skimage.measure import block_reduce

from meia_cnn import arithmetic, ops
from meia_cnn.data import sample_image
from meia_cnn.widgets._base import format_number
from meia_cnn.widgets.pooling import DEFAULT_INPUT, PHOTO_SIZE, SIZES, STRIDES, PoolingExplorer


@pytest.fixture
def viz():
    v = PoolingExplorer()
    yield v
    v.close()


def _hand_pool(x, size, stride, reduce):
    oh = (x.shape[0] - size) // stride + 1
    ow = (x.shape[1] - size) // stride + 1
    return np.array([[reduce(x[i * stride:i * stride + size, j * stride:j * stride + size])
                      for j in range(ow)] for i in range(oh)])


def _check(v):
    c = v.controls
    pooling, size, stride = c["pooling"].value, c["size"].value, c["stride"].value
    x = v.image
    oh, ow = arithmetic.pool_output_size(x.shape, size, stride=stride)
    assert v.output_shape == (oh, ow)
    reduce = np.max if pooling == "max" else np.mean
    np.testing.assert_allclose(v.output, _hand_pool(x, size, stride, reduce))
    _, indices = ops.max_pool2d(x, size, stride=stride, return_indices=True)
    np.testing.assert_array_equal(v.indices, indices)
    step = c["step"].value
    assert c["step"].max == oh * ow - 1
    i, j = divmod(step, ow)
    assert v.position == (i, j)
    window = x[i * stride:i * stride + size, j * stride:j * stride + size]
    np.testing.assert_array_equal(v.window, window)
    assert v.current_value == pytest.approx(reduce(window))
    r, cc = v.current_argmax
    assert x[r, cc] == window.max()
    # drawn: the window, the maxima, the filled output cells
    assert v._win.get_xy() == (j * stride - 0.5, i * stride - 0.5) and v._win.get_width() == size
    if pooling == "max":
        marks = [tuple(np.mean(p.vertices[:4], axis=0)) for p in v._maxima.get_paths()]
        assert sorted((float(b), float(a)) for a, b in marks) == sorted(
            (float(a), float(b)) for a, b in indices.reshape(-1, 2))
        assert v._best.get_visible()
        assert v._best.get_xy() == pytest.approx((cc - 0.42, r - 0.42))
    else:
        assert len(v._maxima.get_paths()) == 0 and not v._best.get_visible()
    labels = v._g_out.labels[:oh, :ow]
    order = np.arange(oh * ow).reshape(oh, ow)
    assert all(labels[order <= step] != "") and all(labels[order > step] == "")
    assert labels[i, j] == format_number(v.output[i, j])
    # equation (4) and the photo
    h, w = x.shape
    assert v.equation == f"O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊({w} − {size})/{stride}⌋ + 1 = {ow}"
    text = v.readout_text
    assert v.equation in text and f"output {oh} × {ow}" in text
    assert f"= {format_number(v.output[i, j])}" in text
    pool = ops.max_pool2d if pooling == "max" else ops.avg_pool2d
    np.testing.assert_allclose(v.photo_output, pool(v.photo, size, stride=stride))
    np.testing.assert_allclose(v._photo_out.get_array(), v.photo_output)
    ph, pw = v.photo.shape
    qh, qw = v.photo_output.shape
    assert (qh, qw) == arithmetic.pool_output_size((ph, pw), size, stride=stride)
    assert f"{ph} × {pw} → {qh} × {qw}" in text


def test_defaults(viz):
    assert viz.output_shape == (4, 4)
    assert viz.error == ""
    assert set(viz.controls) == {"pooling", "size", "stride", "step", "play", "photo", "upload"}
    np.testing.assert_array_equal(viz.image, DEFAULT_INPUT)
    _check(viz)
    assert "0 parameters" in viz.readout_text


def test_photo_pooling_matches_scikit_image(viz):
    photo = sample_image("camera", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.photo_output, block_reduce(photo, (2, 2), np.max))
    viz.controls["pooling"].value = "average"
    np.testing.assert_allclose(viz.photo_output, block_reduce(photo, (2, 2), np.mean))


@pytest.mark.parametrize("pooling", ["max", "average"])
def test_every_control_through_its_range(viz, pooling, artist_guard):
    with artist_guard(viz):
        viz.controls["pooling"].value = pooling
        for size in range(SIZES[0], SIZES[1] + 1):
            viz.controls["size"].value = size
            for stride in range(STRIDES[0], STRIDES[1] + 1):
                viz.controls["stride"].value = stride
                for step in range(viz.controls["step"].max + 1):
                    viz.controls["step"].value = step
                    _check(viz)


def test_play_and_photo(viz, artist_guard):
    with artist_guard(viz):
        viz.controls["play"].value = 9
        viz.controls["photo"].value = "coins"
    assert viz.controls["step"].value == 9
    np.testing.assert_allclose(viz.photo, sample_image("coins", grey=True, size=PHOTO_SIZE))
    _check(viz)


def test_window_larger_than_input_keeps_the_last_drawing(artist_guard):
    x = np.arange(9.0).reshape(3, 3)
    v = PoolingExplorer(x, size=3, stride=1, pooling="average", photo="moon")
    try:
        assert v.output_shape == (1, 1) and v.current_value == 4.0
        _check(v)
        with artist_guard(v):
            v.controls["size"].value = 4
        assert v.error == "size=4 is larger than the padded input (3) for padding='valid'"
        assert v.output_shape == (1, 1)
        v.controls["size"].value = 2
        assert v.error == "" and v.output_shape == (2, 2)
        _check(v)
    finally:
        v.close()


def test_upload(viz, send_upload, upload_files, artist_guard):
    with artist_guard(viz):
        send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.error == "Showing mine.png"
    assert viz.photo.shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE)
    _check(viz)
    good = viz.photo
    for bad, words in (("random", "not an image"), ("huge", "too large|absurd|decompression bomb")):
        with artist_guard(viz):
            send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert f"{bad}.png" in viz.error and re.search(words, viz.error)
        np.testing.assert_array_equal(viz.photo, good)
        viz.controls["step"].value = 5
        _check(viz)
    assert viz.controls["photo"].value == "upload: mine.png"
    viz.controls["photo"].value = "camera"  # the sample chosen before the upload comes back
    np.testing.assert_allclose(viz.photo, sample_image("camera", grey=True, size=PHOTO_SIZE))
    _check(viz)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(x=np.zeros((10, 4))), ValueError, "at most 9x9"),
    (dict(x=np.zeros((2, 2, 2))), ValueError, "2-D"),
    (dict(x=[[1, "a"]]), TypeError, "numbers"),
    (dict(size=5), ValueError, "between 1 and 4"),
    (dict(stride=0), ValueError, "between 1 and 4"),
    (dict(size=2.5), TypeError, "`size` must be an int"),
    (dict(pooling="min"), ValueError, "'max' or 'average'"),
    (dict(photo="nope"), ValueError, "must be one of"),
    (dict(x=np.ones((2, 2)), size=3), ValueError, "larger than the padded input"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        PoolingExplorer(**kwargs)

def test_frames_sent_to_the_browser_are_the_figure(viz, monkeypatch):
    """The canvas encodes its frames itself (a fast PNG level): full frame, then only what changed."""
    import io

    from PIL import Image

    canvas = viz.fig.canvas
    sent = []
    monkeypatch.setattr(canvas, "send", lambda content, buffers=None: sent.extend(buffers or []))
    canvas.draw()
    first = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(sent[-1]))), first)
    assert canvas._data_url  # a still image for views without a browser
    viz.controls["step"].value = 3
    canvas.draw()
    second = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    diff = np.asarray(Image.open(io.BytesIO(sent[-1])))
    changed = (first.view(np.uint32) != second.view(np.uint32))[..., 0]
    assert canvas._image_mode == "diff" and 0 < changed.sum() < changed.size
    np.testing.assert_array_equal(diff[changed], second[changed])
    assert (diff[~changed] == 0).all()

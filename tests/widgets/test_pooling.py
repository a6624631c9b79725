"""PoolingExplorer: its state, its scene and equation (4) agree with the core and with hand pooling."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from skimage.measure import block_reduce

from meia_cnn import arithmetic, ops
from meia_cnn.data import sample_image
from meia_cnn.explain.pooling import equation_text
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets.pooling import DEFAULT_INPUT, PHOTO_SIZE, SIZES, STRIDES, PoolingExplorer


@pytest.fixture
def viz():
    v = PoolingExplorer()
    yield v
    v.close()


def _hand_pool(x, size, stride, reduce):
    oh = (x.shape[0] - size) // stride + 1
    ow = (x.shape[1] - size) // stride + 1
    return np.array(
        [
            [reduce(x[i * stride : i * stride + size, j * stride : j * stride + size]) for j in range(ow)]
            for i in range(oh)
        ]
    )


def _check(v):
    """The state, the scene sent to the page and the readout, against the core and by hand."""
    c = v.controls
    pooling, size, stride = c["pooling"].value, c["size"].value, c["stride"].value
    x = v.state.input
    oh, ow = arithmetic.pool_output_size(x.shape, size, stride=stride)
    assert v.state.output_shape == (oh, ow)
    reduce = np.max if pooling == "max" else np.mean
    np.testing.assert_allclose(v.state.output, _hand_pool(x, size, stride, reduce))
    _, indices = ops.max_pool2d(x, size, stride=stride, return_indices=True)
    np.testing.assert_array_equal(v.state.indices, indices)
    # the steps: one per output cell, the slider counts them from 1 as the readout does
    slider = c["step"]
    n = oh * ow
    assert len(slider.options) == n == len(v.state.steps) == len(v.view.scene["steps"])
    step = slider.index
    assert v.view.step == step == v.step
    assert slider.label == f"{step + 1} of {n}"
    i, j = divmod(step, ow)
    current = v.state.steps[step]
    assert current.position == (i, j)
    window = x[i * stride : i * stride + size, j * stride : j * stride + size]
    np.testing.assert_array_equal(current.window, window)
    assert current.value == pytest.approx(reduce(window))
    r, cc = current.argmax
    assert x[r, cc] == window.max()
    # the scene the page draws
    scene = v.view.scene
    assert scene["input"]["labels"] == [[format_number(a) for a in row] for row in x]
    assert (scene["output"]["rows"], scene["output"]["cols"]) == (oh, ow)
    assert scene["output"]["labels"] == [[format_number(a) for a in row] for row in v.state.output]
    assert scene["size"] == size
    here = scene["steps"][step]
    assert here["origin"] == [i * stride, j * stride] and here["cell"] == [i, j]
    if pooling == "max":
        assert sorted(map(tuple, scene["maxima"])) == sorted(map(tuple, indices.reshape(-1, 2).tolist()))
        assert here["best"] == [r, cc]
    else:
        assert scene["maxima"] == [] and here["best"] is None
    # equation (4) and the photo, in the readout
    h, w = x.shape
    equation = equation_text(v.state)
    assert equation == f"O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊({w} − {size})/{stride}⌋ + 1 = {ow}"
    text = v.readout_text
    assert equation in text and f"O_h = ⌊({h} − {size})/{stride}⌋ + 1 = {oh}" in text
    assert f"output {oh} × {ow}" in text
    assert f"Step {step + 1} of {n}:" in text
    assert f"= {format_number(v.state.output[i, j])}" in text
    pool = ops.max_pool2d if pooling == "max" else ops.avg_pool2d
    np.testing.assert_allclose(v.photo_output, pool(v.photo, size, stride=stride))
    ph, pw = v.photo.shape
    qh, qw = v.photo_output.shape
    assert (qh, qw) == arithmetic.pool_output_size((ph, pw), size, stride=stride)
    assert f"{ph} × {pw} → {qh} × {qw}" in text
    assert (scene["pooled"]["rows"], scene["pooled"]["cols"]) == (qh, qw)
    assert v.view.photo[:4] == b"\x89PNG" and v.view.pooled[:4] == b"\x89PNG"


def test_defaults(viz):
    assert viz.state.output_shape == (4, 4)
    assert viz.error == ""
    assert set(viz.controls) == {"pooling", "size", "stride", "step", "play", "photo", "upload"}
    np.testing.assert_array_equal(viz.state.input, DEFAULT_INPUT)
    _check(viz)
    assert "0 parameters" in viz.readout_text
    assert viz.controls["step"].label == "1 of 16" and "Step 1 of 16" in viz.readout_text


def test_photo_pooling_matches_scikit_image(viz):
    photo = sample_image("camera", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.photo_output, block_reduce(photo, (2, 2), np.max))
    viz.controls["pooling"].value = "average"
    np.testing.assert_allclose(viz.photo_output, block_reduce(photo, (2, 2), np.mean))


@pytest.mark.parametrize("pooling", ["max", "average"])
def test_every_control_through_its_range(viz, pooling):
    viz.controls["pooling"].value = pooling
    for size in range(SIZES[0], SIZES[1] + 1):
        version, changed = viz.view.version, viz.controls["size"].value != size
        viz.controls["size"].value = size
        assert viz.view.version == version + changed  # one bump per change
        for stride in range(STRIDES[0], STRIDES[1] + 1):
            version, changed = viz.view.version, viz.controls["stride"].value != stride
            viz.controls["stride"].value = stride
            assert viz.view.version == version + changed
            _check(viz)
            version = viz.view.version
            for step in range(len(viz.controls["step"].options)):
                viz.controls["step"].value = step
                _check(viz)
            assert viz.view.version == version  # stepping is resolved in the browser


def test_maxima_follow_the_window_and_stride_after_average(viz):
    """Average, window 3, stride 1, then max: the marks are the 3x3 stride-1 maxima, not the old 2x2 ones."""
    viz.controls["pooling"].value = "average"
    viz.controls["size"].value = 3
    viz.controls["stride"].value = 1
    assert viz.view.scene["maxima"] == []
    viz.controls["pooling"].value = "max"
    _, expected = ops.max_pool2d(DEFAULT_INPUT, 3, stride=1, return_indices=True)
    assert len(viz.view.scene["maxima"]) == 36
    assert sorted(map(tuple, viz.view.scene["maxima"])) == sorted(map(tuple, expected.reshape(-1, 2).tolist()))
    np.testing.assert_allclose(viz.photo_output, ops.max_pool2d(viz.photo, 3, stride=1))
    _check(viz)


def test_play_and_photo(viz):
    viz.controls["play"].value = 9
    viz.controls["photo"].value = "coins"
    assert viz.controls["step"].value == 9 and viz.step == 9
    np.testing.assert_allclose(viz.photo, sample_image("coins", grey=True, size=PHOTO_SIZE))
    _check(viz)


def test_window_larger_than_input_in_a_students_words():
    x = np.arange(9.0).reshape(3, 3)
    v = PoolingExplorer(x, size=3, stride=1, pooling="average", photo="moon")
    try:
        assert v.state.output_shape == (1, 1) and v.state.steps[v.step].value == 4.0
        _check(v)
        v.controls["size"].value = 4
        assert v.error == "The 4×4 window does not fit in the 3×3 input. Choose a window of at most 3."
        assert v.view.notice == v.error
        assert v.state.output_shape == (1, 1)
        v.controls["size"].value = 2
        assert v.error == "" and v.state.output_shape == (2, 2)
        _check(v)
    finally:
        v.close()


def test_upload(viz, send_upload, upload_files):
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.info == "Showing mine.png." and viz.error == ""
    assert viz.photo.shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE)
    _check(viz)
    good = viz.photo
    for bad, words in (("random", "not a picture"), ("huge", "too large|cannot be used")):
        version = viz.view.version
        send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert f"{bad}.png" in viz.error and re.search(words, viz.error)
        assert "BytesIO" not in viz.error and "Error" not in viz.error
        assert viz.view.version == version  # the drawing stays
        np.testing.assert_array_equal(viz.photo, good)
        viz.controls["step"].value = 5
        _check(viz)
    assert viz.controls["photo"].value == "upload: mine.png"
    viz.controls["photo"].value = "camera"  # the sample chosen before the upload comes back
    np.testing.assert_allclose(viz.photo, sample_image("camera", grey=True, size=PHOTO_SIZE))
    _check(viz)


def test_upload_refused_in_the_browser(viz):
    viz.controls["upload"]._on_message(
        None, {"kind": "refused", "name": "big.jpg", "sentence": "big.jpg is 36 MB: files up to 8 MB can be sent."}, []
    )
    assert viz.error == "big.jpg is 36 MB: files up to 8 MB can be sent."


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(x=np.zeros((10, 4))), ValueError, "at most 9x9"),
        (dict(x=np.zeros((2, 2, 2))), ValueError, "2-D"),
        (dict(x=[[1, "a"]]), TypeError, "numbers"),
        (dict(size=5), ValueError, "between 1 and 4"),
        (dict(stride=0), ValueError, "between 1 and 4"),
        (dict(size=2.5), TypeError, "`size` must be an int"),
        (dict(pooling="min"), ValueError, "must be one of 'max', 'average'"),
        (dict(photo="nope"), ValueError, "must be one of"),
        (dict(x=np.ones((2, 2)), size=3), ValueError, "larger than the padded input"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        PoolingExplorer(**kwargs)


def test_a_strip_too_thin_for_the_windows_is_refused_up_front(viz, send_upload):
    buffer = io.BytesIO()
    Image.fromarray(np.full((2, 300), 200, dtype=np.uint8)).save(buffer, format="png")
    photo, version = viz.photo, viz.view.version
    send_upload(viz.controls["upload"], buffer.getvalue(), "strip.png")
    assert viz.error.startswith("strip.png is 2×256 pixels: every window needs a picture of at least 4×4")
    assert viz.view.version == version and viz.controls["photo"].value == "camera"
    np.testing.assert_array_equal(viz.photo, photo)
    viz.controls["size"].value = 4
    assert viz.error == ""
    _check(viz)

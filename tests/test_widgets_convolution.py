"""ConvolutionExplorer: what it draws and writes equals the core's answer."""

import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import signal

from meia_cnn import arithmetic, ops
from meia_cnn.data import sample_image
from meia_cnn.widgets._base import format_number
from meia_cnn.widgets.convolution import (
    DEFAULT_IMAGE,
    KERNEL_PRESETS,
    PHOTO_SIZE,
    ConvolutionExplorer,
    common_denominator,
    kernel_preset,
    kernel_text,
    parse_kernel,
)


@pytest.fixture
def viz():
    v = ConvolutionExplorer()
    yield v
    v.close()


def _check_step(v):
    """Everything drawn for the current step agrees with scipy and the core."""
    operation = v.controls["operation"].value
    grid, k = v.image, v.kernel
    if operation == "convolution":
        expected = signal.convolve2d(grid, k, mode="valid")
    else:
        expected = signal.correlate2d(grid, k, mode="valid")
    np.testing.assert_allclose(v.output, expected, atol=1e-12)
    oh, ow = arithmetic.output_size(grid.shape, k.shape)
    assert v.output.shape == (oh, ow)
    step = v.controls["step"].value
    i, j = divmod(step, ow)
    assert v.position == (i, j)
    kh = k.shape[0]
    np.testing.assert_array_equal(v.window, grid[i:i + kh, j:j + kh])
    applied = k[::-1, ::-1] if operation == "convolution" else k
    np.testing.assert_allclose(v.current_products, grid[i:i + kh, j:j + kh] * applied)
    assert v.current_sum == pytest.approx(expected[i, j])
    assert v.current_products.sum() == pytest.approx(v.current_sum)
    # the figure: window rectangle, output cells filled up to the step, the sum
    assert v._win.get_xy() == (j - 0.5, i - 0.5) and v._win.get_width() == kh
    labels = v._g_out.labels[:oh, :ow]
    order = np.arange(oh * ow).reshape(oh, ow)
    assert all(labels[order <= step] != "")
    assert all(labels[order > step] == "")
    assert labels[i, j] == format_number(expected[i, j])
    assert v._sum.get_text() == f"Σ = {format_number(expected[i, j])}"
    k_den, p_den = v._scales  # whole numbers on the grids, times 1/den in the titles
    np.testing.assert_allclose(v._g_kf.values / k_den, applied)
    np.testing.assert_allclose(v._g_k.values / k_den, k)
    np.testing.assert_allclose(v._g_prod.values / p_den, v.current_products)
    if k_den > 1:
        assert v._t_k.get_text() == f"K = 1/{k_den} ×" and f"1/{k_den} · (" in v.readout_text
        np.testing.assert_allclose(v._g_k.values, np.round(v._g_k.values))
    text = v.readout_text
    assert f"= {format_number(expected[i, j])}" in text
    assert f"{oh} × {ow}" in text
    assert f"Step {step + 1} of {oh * ow}" in text


def test_defaults_draw_the_first_step(viz):
    assert viz.controls["preset"].value == "sobel_x"
    assert viz.controls["operation"].value == "convolution"
    np.testing.assert_array_equal(viz.image, DEFAULT_IMAGE)
    np.testing.assert_array_equal(viz.kernel, kernel_preset("sobel_x"))
    assert viz.controls["step"].max == viz.n_positions - 1 == 24
    assert viz.controls["play"].max == 24
    assert viz.error == ""
    _check_step(viz)
    assert set(viz.controls) == {"step", "play", "operation", "preset", "kernel_size", "kernel_text",
                                 "photo", "upload"}


@pytest.mark.parametrize("operation", ["convolution", "cross-correlation"])
def test_every_step_matches_scipy(viz, operation, artist_guard):
    viz.controls["operation"].value = operation
    with artist_guard(viz):
        for step in range(viz.n_positions):
            viz.controls["step"].value = step
            _check_step(viz)


def test_play_drives_the_step(viz):
    viz.controls["play"].value = 7
    assert viz.controls["step"].value == 7
    _check_step(viz)


def test_the_flip_shows_where_modes_differ(viz):
    conv = viz.output
    viz.controls["operation"].value = "cross-correlation"
    np.testing.assert_allclose(viz.output, -conv)  # sobel_x changes sign under the flip
    np.testing.assert_array_equal(viz._g_kf.values, viz.kernel)  # sobel: whole numbers already
    assert "as it is" in viz.readout_text and "different outputs" in viz.readout_text
    viz.controls["preset"].value = "gaussian"  # symmetric: the modes agree
    assert "same output" in viz.readout_text


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("name", list(KERNEL_PRESETS))
def test_presets_and_sizes(viz, name, size, artist_guard):
    with artist_guard(viz):
        viz.controls["kernel_size"].value = size
        viz.controls["preset"].value = name
        viz.controls["step"].value = viz.n_positions - 1
    np.testing.assert_allclose(viz.kernel, kernel_preset(name, size))
    assert parse_kernel(viz.controls["kernel_text"].value).shape == (size, size)
    np.testing.assert_allclose(parse_kernel(viz.controls["kernel_text"].value), viz.kernel, rtol=1e-5)
    assert viz.n_positions == (7 - size + 1) ** 2
    _check_step(viz)
    photo = sample_image("camera", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.photo_output, signal.convolve2d(photo, viz.kernel, mode="same"),
                               atol=1e-9)


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("name", list(KERNEL_PRESETS))
def test_kernel_text_reads_back_as_the_same_kernel(name, size):
    kernel = kernel_preset(name, size)
    np.testing.assert_allclose(parse_kernel(kernel_text(kernel)), kernel, rtol=1e-6)


def test_preset_kernels_are_the_textbook_ones():
    np.testing.assert_array_equal(kernel_preset("sobel_y"), kernel_preset("sobel_x").T)
    assert kernel_preset("box blur", 5).sum() == pytest.approx(1)
    assert kernel_preset("gaussian").tolist() == (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist()
    for name in ("sobel_x", "sobel_y", "laplacian"):
        for k in (3, 5):
            assert kernel_preset(name, k).sum() == 0
    for name in ("identity", "sharpen", "emboss"):
        for k in (3, 5):
            assert kernel_preset(name, k).sum() == pytest.approx(1)


def test_typed_kernel_is_applied(viz):
    viz.controls["kernel_text"].value = "0 0 0\n0 0 1\n0 0 0"
    assert viz.error == ""
    assert viz.controls["preset"].value == "custom"
    viz.controls["operation"].value = "cross-correlation"
    np.testing.assert_array_equal(viz.output, DEFAULT_IMAGE[1:-1, 2:])  # a shift by one column
    viz.controls["kernel_text"].value = "1/25, 1/25, 1/25, 1/25, 1/25\n" * 5
    assert viz.kernel.shape == (5, 5) and viz.controls["kernel_size"].value == 5
    assert viz.controls["step"].max == 8
    _check_step(viz)


@pytest.mark.parametrize("text, rule", [
    ("1 2 3\n4 5 6", "3 rows of 3 numbers or 5 rows of 5"),
    ("1 2 3\n4 5 6\n7 8", "row 3 has 2 numbers"),
    ("1 2 3\n4 x 6\n7 8 9", "'x' is not a number"),
    ("1 2 3\n4 nan 6\n7 8 9", "'nan' is not a number"),
    ("1 2 3\n4 1e999 6\n7 8 9", "must be a finite number"),
    ("1 2 3\n4 1/0 6\n7 8 9", "divides by zero"),
    ("", "got 0 rows"),
])
def test_bad_kernel_entry_keeps_the_last_good_kernel_and_the_text(viz, text, rule, artist_guard):
    viz.controls["step"].value = 4
    good, output = viz.kernel, viz.output
    with artist_guard(viz):
        viz.controls["kernel_text"].value = text
    assert rule in viz.error
    assert "last good kernel" in viz.error
    assert viz.controls["kernel_text"].value == text  # nothing typed is lost
    np.testing.assert_array_equal(viz.kernel, good)
    np.testing.assert_array_equal(viz.output, output)
    viz.controls["step"].value = 5  # still working; the message stays while the text is bad
    _check_step(viz)
    assert rule in viz.error
    viz.controls["kernel_text"].value = "1 0 0\n0 0 0\n0 0 0"
    assert viz.error == ""
    _check_step(viz)


def test_kernel_size_embeds_or_crops_a_custom_kernel(viz):
    viz.controls["kernel_text"].value = "1 2 3\n4 5 6\n7 8 9"
    viz.controls["kernel_size"].value = 5
    assert viz.kernel.shape == (5, 5) and viz.kernel[1:4, 1:4].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    viz.controls["kernel_size"].value = 3
    assert viz.kernel.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_arguments_start_elsewhere():
    grid = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1, 2, 0], [0, -1, 0], [0, 0, 3]])
    v = ConvolutionExplorer(grid, kernel, photo="coins", operation="cross-correlation")
    try:
        assert v.controls["preset"].value == "custom"
        assert v.controls["photo"].value == "coins"
        np.testing.assert_allclose(v.output, ops.conv2d(grid, kernel))
        assert v.n_positions == 4
        _check_step(v)
        photo = sample_image("coins", grey=True, size=PHOTO_SIZE)
        np.testing.assert_allclose(v.photo_output, signal.correlate2d(photo, kernel, mode="same"),
                                   atol=1e-9)
        # a 5x5 kernel does not fit a 4x4 grid: the core's message, the last good drawing
        v.controls["preset"].value = "box blur"
        v.controls["kernel_size"].value = 5
        assert "larger than the padded input (4)" in v.error
        assert v.current_sum == pytest.approx(ops.conv2d(grid, np.full((3, 3), 1 / 9))[0, 0])
        v.controls["kernel_size"].value = 3
        assert v.error == ""
        _check_step(v)
    finally:
        v.close()


@pytest.mark.parametrize("kwargs, match", [
    (dict(image=np.zeros((10, 10))), "between 3x3 and 9x9"),
    (dict(image=np.zeros((2, 5))), "between 3x3 and 9x9"),
    (dict(image=np.zeros((3, 3, 3))), "2-D array"),
    (dict(kernel="blur"), "preset must be one of"),
    (dict(kernel=np.ones((4, 4))), "3x3 or 5x5"),
    (dict(kernel=[[1, 2, 3], [4, np.nan, 6], [7, 8, 9]]), "must be finite"),
    (dict(operation="conv"), "'convolution' or 'cross-correlation'"),
    (dict(photo="lena"), "must be one of"),
])
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ConvolutionExplorer(**kwargs)


def test_photo_choice_and_upload(viz, send_upload, upload_files, artist_guard):
    with artist_guard(viz):
        viz.controls["photo"].value = "astronaut"
    photo = sample_image("astronaut", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.photo, photo)
    np.testing.assert_allclose(viz.photo_output, ops.convolve2d(photo, viz.kernel, mode="same"))
    np.testing.assert_allclose(viz._photo_im.get_array(), photo)
    with artist_guard(viz):
        send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.error == "Showing mine.png"
    assert viz.photo.shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE)
    np.testing.assert_allclose(viz.photo_output, ops.convolve2d(viz.photo, viz.kernel, mode="same"))
    good = viz.photo
    for bad, words in (("random", "not an image"), ("huge", "too large|absurd|decompression bomb")):
        with artist_guard(viz):
            send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert f"{bad}.png" in viz.error and re.search(words, viz.error)
        np.testing.assert_array_equal(viz.photo, good)
        viz.controls["step"].value = 3  # still working
        _check_step(viz)
    assert viz.controls["photo"].value == "upload: mine.png"
    viz.controls["photo"].value = "camera"  # the sample chosen before the upload comes back
    np.testing.assert_allclose(viz.photo, sample_image("camera", grey=True, size=PHOTO_SIZE))
    _check_step(viz)


def test_no_pyplot_figure_and_close_frees(viz):
    assert plt.get_fignums() == []
    # the front end builds the canvas view with its toolbar's view: keep it, hidden
    toolbar = viz.canvas.toolbar
    assert toolbar is not None and viz.canvas.toolbar_visible is False
    assert viz.canvas in viz.children
    rows = [w for w in viz.children if isinstance(w, widgets.Box)]
    assert rows and all(row.comm is not None for row in rows)
    fig = viz.fig
    viz.close()
    assert viz.fig is None
    assert fig.axes == []
    assert plt.get_fignums() == []
    assert toolbar.comm is None and all(c.comm is None for c in viz.controls.values())
    assert all(row.comm is None for row in rows) and viz.comm is None


@pytest.mark.parametrize("name, size, den", [
    ("gaussian", 3, 16), ("gaussian", 5, 256), ("box blur", 3, 9), ("box blur", 5, 25),
    ("sharpen", 5, 256), ("sobel_x", 5, 1), ("identity", 3, 1),
])
def test_fractional_kernels_are_written_as_whole_numbers_over_a_denominator(viz, name, size, den):
    assert common_denominator(kernel_preset(name, size)) == den
    viz.controls["kernel_size"].value = size
    viz.controls["preset"].value = name
    assert viz._scales[0] == den
    assert all(len(t) <= 4 for t in viz._g_k.labels.ravel())  # legible in a small cell
    _check_step(viz)


def test_kernels_without_a_small_denominator_stay_decimal(viz):
    viz.controls["kernel_text"].value = "0.1234567 0 0\n0 1 0\n0 0 0"
    assert viz._scales[0] == 1 and viz._g_k.labels[0, 0] == "0.123"
    _check_step(viz)

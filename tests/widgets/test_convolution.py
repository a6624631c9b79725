"""ConvolutionExplorer: its state, the scene it sends and its readout equal the core's answer."""

import re

import numpy as np
import pytest
from scipy import signal

from meia_cnn import arithmetic, ops
from meia_cnn.data import sample_image
from meia_cnn.kernels import KERNEL_PRESETS, common_denominator, kernel_preset, parse_kernel
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets._photo import UPLOAD_MAX_BYTES
from meia_cnn.widgets.convolution import (
    CACHE_SIZE,
    DEFAULT_IMAGE,
    PHOTO_SIZE,
    ConvolutionExplorer,
)


@pytest.fixture
def viz():
    v = ConvolutionExplorer()
    yield v
    v.close()


def _check_step(v):
    """Everything shown for the current step agrees with scipy and the core."""
    operation = v.controls["operation"].value
    grid, k = v.state.grid.image, v.kernel
    expected = (signal.convolve2d if operation == "convolution" else signal.correlate2d)(grid, k, mode="valid")
    np.testing.assert_allclose(v.state.grid.output, expected, atol=1e-12)
    oh, ow = arithmetic.output_size(grid.shape, k.shape)
    assert v.state.grid.output.shape == (oh, ow)
    slider = v.controls["step"]
    step = slider.index
    assert v.view.step == step
    assert len(slider.options) == oh * ow == len(v.state.grid.steps)
    assert slider.label == f"{step + 1} of {oh * ow}"  # the slider counts as the readout does
    i, j = divmod(step, ow)
    current = v.state.grid.steps[step]
    assert current.position == (i, j)
    kh = k.shape[0]
    np.testing.assert_array_equal(current.window, grid[i : i + kh, j : j + kh])
    applied = k[::-1, ::-1] if operation == "convolution" else k
    np.testing.assert_allclose(v.state.grid.applied, applied)
    np.testing.assert_allclose(current.products, grid[i : i + kh, j : j + kh] * applied)
    assert current.sum == pytest.approx(expected[i, j])
    # the scene the page draws: the numbers written are the core's, formatted
    scene = v.view.scene
    k_den = common_denominator(k)
    assert scene["input"]["labels"] == [[format_number(x) for x in row] for row in grid]
    assert scene["kernel"]["labels"] == [[format_number(x * k_den) for x in row] for row in k]
    assert scene["applied"]["labels"] == [[format_number(x * k_den) for x in row] for row in applied]
    assert scene["output"]["labels"] == [[format_number(x) for x in row] for row in expected]
    here = scene["steps"][step]
    p_den = common_denominator(current.products)
    assert here["cell"] == [i, j]
    assert here["products"] == [[format_number(x * p_den) for x in row] for row in current.products]
    assert here["sum"] == f"Σ = {format_number(expected[i, j])}"
    if k_den > 1:
        assert scene["kernel"]["title"] == f"K = 1/{k_den} ×"
    text = v.readout_text
    assert f"= {format_number(expected[i, j])}" in text
    assert f"{oh} × {ow}" in text
    assert f"Step {step + 1} of {oh * ow}" in text
    if k_den > 1:
        assert f"Products: 1/{k_den} · (" in text


def test_defaults_draw_the_first_step(viz):
    assert viz.controls["preset"].value == "sobel_x"
    assert viz.controls["operation"].value == "convolution"
    np.testing.assert_array_equal(viz.state.grid.image, DEFAULT_IMAGE)
    np.testing.assert_array_equal(viz.kernel, kernel_preset("sobel_x"))
    assert len(viz.controls["step"].options) == len(viz.state.grid.steps) == 25
    assert viz.controls["play"].max == 24
    assert viz.controls["step"].label == "1 of 25"
    assert viz.error == ""
    _check_step(viz)
    assert set(viz.controls) == {"step", "play", "operation", "preset", "kernel_size", "kernel_text", "photo", "upload"}
    assert viz.view.photo[:4] == b"\x89PNG" and viz.view.filtered[:4] == b"\x89PNG"


@pytest.mark.parametrize("operation", ["convolution", "cross-correlation"])
def test_every_step_matches_scipy_without_a_new_scene(viz, operation):
    viz.controls["operation"].value = operation
    version = viz.view.version
    for step in range(len(viz.state.grid.steps)):
        viz.controls["step"].value = step
        _check_step(viz)
    assert viz.view.version == version  # stepping is resolved in the browser


def test_play_drives_the_step(viz):
    viz.controls["play"].value = 7
    assert viz.controls["step"].value == 7 and viz.view.step == 7
    _check_step(viz)


def test_the_flip_shows_where_modes_differ(viz):
    conv = viz.state.grid.output
    viz.controls["operation"].value = "cross-correlation"
    np.testing.assert_allclose(viz.state.grid.output, -conv)  # sobel_x changes sign under the flip
    assert "as it is" in viz.readout_text and "different outputs" in viz.readout_text
    viz.controls["preset"].value = "gaussian"  # symmetric: the modes agree
    assert "same output" in viz.readout_text


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("name", list(KERNEL_PRESETS))
def test_presets_and_sizes(viz, name, size):
    version = viz.view.version
    viz.controls["kernel_size"].value = size
    viz.controls["preset"].value = name
    viz.controls["step"].value = len(viz.state.grid.steps) - 1
    assert viz.view.version <= version + 2  # one new scene per change that needs Python
    np.testing.assert_allclose(viz.kernel, kernel_preset(name, size))
    np.testing.assert_allclose(parse_kernel(viz.controls["kernel_text"].value), viz.kernel, rtol=1e-12)
    assert len(viz.state.grid.steps) == (7 - size + 1) ** 2
    _check_step(viz)
    photo = sample_image("camera", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.state.filtered, signal.convolve2d(photo, viz.kernel, mode="same"), atol=1e-9)


def test_typed_kernel_is_applied(viz):
    viz.controls["kernel_text"].value = "0 0 0\n0 0 1\n0 0 0"
    assert viz.error == ""
    assert viz.controls["preset"].value == "custom"
    viz.controls["operation"].value = "cross-correlation"
    np.testing.assert_array_equal(viz.state.grid.output, DEFAULT_IMAGE[1:-1, 2:])  # a shift by one column
    viz.controls["kernel_text"].value = "1/25, 1/25, 1/25, 1/25, 1/25\n" * 5
    assert viz.kernel.shape == (5, 5) and viz.controls["kernel_size"].value == 5
    assert len(viz.controls["step"].options) == 9
    _check_step(viz)


@pytest.mark.parametrize(
    "text, rule",
    [
        ("1 2 3\n4 5 6", "3 rows of 3 numbers or 5 rows of 5"),
        ("1 2 3\n4 5 6\n7 8", "row 3 has 2 numbers"),
        ("1 2 3\n4 x 6\n7 8 9", "'x', is not a number"),
        ("1 2 3\n4 nan 6\n7 8 9", "'nan', is not a number"),
        ("1 2 3\n4 1e999 6\n7 8 9", "must be a finite number"),
        ("1e308 1e308 1e308\n1e308 1e308 1e308\n1e308 1e308 1e308", "must be a finite number"),
        ("1 2 3\n4 1/0 6\n7 8 9", "divides by zero"),
        ("1" * 40_000 + "x", "characters long"),
        ("", "it has 0 rows"),
    ],
)
def test_bad_kernel_entry_keeps_the_last_good_kernel_and_the_text(viz, text, rule):
    viz.controls["step"].value = 4
    good, output, version = viz.kernel, viz.state.grid.output, viz.view.version
    viz.controls["kernel_text"].value = text
    assert rule in viz.error
    assert "last good kernel" in viz.error
    assert viz.controls["kernel_text"].value == text  # nothing typed is lost
    assert viz.view.version == version and viz.view.notice == ""  # the drawing stays, valid
    np.testing.assert_array_equal(viz.kernel, good)
    np.testing.assert_array_equal(viz.state.grid.output, output)
    viz.controls["step"].value = 5  # still working; the message stays while the text is bad
    _check_step(viz)
    viz.controls["operation"].value = "cross-correlation"
    assert rule in viz.error
    _check_step(viz)
    viz.controls["kernel_text"].value = "1 0 0\n0 0 0\n0 0 0"
    assert viz.error == ""
    _check_step(viz)


def test_kernel_size_embeds_or_crops_a_custom_kernel(viz):
    viz.controls["kernel_text"].value = "1 2 3\n4 5 6\n7 8 9"
    viz.controls["kernel_size"].value = 5
    assert viz.kernel.shape == (5, 5) and viz.kernel[1:4, 1:4].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    viz.controls["kernel_size"].value = 3
    assert viz.kernel.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_arguments_start_elsewhere_and_a_kernel_too_large_is_explained():
    grid = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1, 2, 0], [0, -1, 0], [0, 0, 3]])
    v = ConvolutionExplorer(grid, kernel, photo="coins", operation="cross-correlation")
    try:
        assert v.controls["preset"].value == "custom"
        assert v.controls["photo"].value == "coins"
        np.testing.assert_allclose(v.state.grid.output, ops.conv2d(grid, kernel))
        assert len(v.state.grid.steps) == 4
        _check_step(v)
        photo = sample_image("coins", grey=True, size=PHOTO_SIZE)
        np.testing.assert_allclose(v.state.filtered, signal.correlate2d(photo, kernel, mode="same"), atol=1e-9)
        # a 5x5 kernel does not fit a 4x4 grid: words in place of a stale drawing, the last good state
        v.controls["preset"].value = "box blur"
        v.controls["kernel_size"].value = 5
        assert v.error == (
            "The 5×5 kernel is larger than the 4×4 input grid, so it has no position to "
            "stand on. Choose a 3×3 kernel or a larger grid."
        )
        assert v.view.notice == v.error
        assert v.state.grid.steps[v.step].sum == pytest.approx(ops.conv2d(grid, np.full((3, 3), 1 / 9))[0, 0])
        v.controls["kernel_size"].value = 3
        assert v.error == "" and v.view.notice == ""
        _check_step(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image=np.zeros((10, 10))), "between 3x3 and 9x9"),
        (dict(image=np.zeros((2, 5))), "between 3x3 and 9x9"),
        (dict(image=np.zeros((3, 3, 3))), "2-D array"),
        (dict(kernel="blur"), "preset must be one of"),
        (dict(kernel=np.ones((4, 4))), "3x3 or 5x5"),
        (dict(kernel=np.full((3, 3), 1e308)), "between -1e6 and 1e6"),
        (dict(kernel=[[1, 2, 3], [4, np.nan, 6], [7, 8, 9]]), "must be finite"),
        (dict(image=np.ones((3, 3)), kernel=np.ones((5, 5))), "larger than `image`"),
        (dict(operation="conv"), "'convolution', 'cross-correlation', got 'conv'"),
        (dict(photo="lena"), "must be one of"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ConvolutionExplorer(**kwargs)


@pytest.mark.parametrize(
    "name, value",
    [
        ("operation", None),
        ("preset", None),
        ("kernel_size", None),
        ("photo", None),
        ("kernel_text", None),
        ("step", None),
    ],
)
def test_values_outside_the_options_never_raise(viz, name, value):
    control = viz.controls[name]
    try:
        control.value = value
    except Exception:  # noqa: BLE001 - the control refused the value itself: fine
        pass
    assert isinstance(viz.error, str)
    viz.controls["operation"].value = "convolution"
    viz.controls["photo"].value = "camera"
    viz.controls["kernel_size"].value = 3
    viz.controls["kernel_text"].value = "1 0 -1\n2 0 -2\n1 0 -1"
    viz.controls["preset"].value = "sobel_x"
    assert viz.error == ""
    _check_step(viz)


def test_photo_choice_and_upload(viz, send_upload, upload_files):
    viz.controls["photo"].value = "astronaut"
    photo = sample_image("astronaut", grey=True, size=PHOTO_SIZE)
    np.testing.assert_allclose(viz.state.photo, photo)
    np.testing.assert_allclose(viz.state.filtered, ops.convolve2d(photo, viz.kernel, mode="same"))
    assert viz.view.scene["photo"]["title"] == "astronaut"
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.info == "Showing mine.png." and viz.error == ""
    assert viz.state.photo.shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE)
    np.testing.assert_allclose(viz.state.filtered, ops.convolve2d(viz.state.photo, viz.kernel, mode="same"))
    good, png = viz.state.photo, viz.view.photo
    for bad, words in (
        ("random", "is not a picture this explorer can read"),
        ("huge", "is too large to use here|cannot be used"),
    ):
        send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert viz.error.startswith(f"{bad}.png") and re.search(words, viz.error)
        assert "BytesIO" not in viz.error and "0x" not in viz.error  # no Python internals
        np.testing.assert_array_equal(viz.state.photo, good)
        assert viz.view.photo == png
        viz.controls["step"].value = 3  # still working
        _check_step(viz)
    assert viz.controls["photo"].value == "upload: mine.png"
    viz.controls["photo"].value = "camera"  # the sample chosen before the upload comes back
    np.testing.assert_allclose(viz.state.photo, sample_image("camera", grey=True, size=PHOTO_SIZE))
    _check_step(viz)


def test_a_thin_strip_is_refused_up_front(viz, send_upload):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.zeros((3, 2000), np.uint8)).save(buffer, format="png")
    good = viz.state.photo
    send_upload(viz.controls["upload"], buffer.getvalue(), "strip.png")
    assert viz.error.startswith("strip.png is too thin")
    np.testing.assert_array_equal(viz.state.photo, good)


def test_the_page_refuses_large_files_and_says_the_limit(viz):
    """The browser checks the size before sending; its sentence reaches the message area."""
    upload = viz.controls["upload"]
    assert upload.max_bytes == UPLOAD_MAX_BYTES <= 10 * 1024 * 1024  # under the server's message limit
    sentence = upload.too_large.format(name="big.jpg", size="36.0 MB", limit="8.0 MB")
    upload._on_message(upload, {"kind": "refused", "name": "big.jpg", "sentence": sentence}, [])
    assert viz.error == "big.jpg is 36.0 MB: files up to 8.0 MB can be sent. Choose a smaller picture."
    upload._on_message(upload, {"kind": "file", "name": "x.png", "type": "image/png"}, [b"not a png"])
    assert viz.error.startswith("x.png is not a picture")


def test_a_setting_seen_before_is_shown_again_without_recomputing_and_with_the_same_numbers(viz):
    """The state, scene and pictures of a (kernel, operation, photo) are kept: the same as computed afresh."""
    first = viz.state
    viz.controls["operation"].value = "cross-correlation"
    viz.controls["operation"].value = "convolution"
    assert viz.state is first  # kept, not recomputed
    fresh = ConvolutionExplorer()
    try:
        assert viz.view.scene == fresh.view.scene
        assert viz.view.filtered == fresh.view.filtered and viz.view.photo == fresh.view.photo
        for operation in ("cross-correlation", "convolution"):
            fresh.controls["operation"].value = viz.controls["operation"].value = operation
            assert viz.view.scene == fresh.view.scene and viz.view.filtered == fresh.view.filtered
            np.testing.assert_array_equal(viz.state.filtered, fresh.state.filtered)
    finally:
        fresh.close()


def test_kept_settings_are_bounded_and_follow_the_photo(viz, send_upload, upload_files):
    rng = np.random.default_rng(2)
    for _ in range(3 * CACHE_SIZE):
        viz.controls["kernel_text"].value = "\n".join(
            " ".join(str(int(v)) for v in row) for row in rng.integers(-3, 4, (3, 3))
        )
    assert all(viz._caches[name].cache_info().currsize <= CACHE_SIZE for name in ("state", "scene"))
    viz.controls["preset"].value = "sobel_x"
    before = viz.state.filtered
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    viz.controls["operation"].value = "cross-correlation"
    viz.controls["operation"].value = "convolution"  # the same kernel and operation, another photo
    assert viz.state.photo.shape != sample_image("camera", grey=True, size=PHOTO_SIZE).shape or not np.array_equal(
        viz.state.photo, sample_image("camera", grey=True, size=PHOTO_SIZE)
    )
    expected = ops.convolve2d(viz.state.photo, kernel_preset("sobel_x", 3), mode="same")
    np.testing.assert_allclose(viz.state.filtered, expected)
    assert viz.state.filtered.shape != before.shape or not np.array_equal(viz.state.filtered, before)

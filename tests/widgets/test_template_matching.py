"""TemplateMatchingExplorer: the peak follows the object by exactly the shift, with the same value."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from scipy.signal import correlate2d
from skimage.feature import match_template

from meia_cnn.data import load_image
from meia_cnn.explain.template_matching import template_matching_state, template_scene
from meia_cnn.widgets import TemplateMatchingExplorer
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets.template_matching import PICTURE_SHAPE, UPLOAD_SIZE, template_from_image


@pytest.fixture
def viz():
    v = TemplateMatchingExplorer()
    yield v
    v.close()


def _check(v, info=""):
    """Both maps equal independent references and peak at the object; the scene and readout say so."""
    y, x = v.controls["row"].value, v.controls["column"].value
    template, picture = v.state.template, v.state.picture
    th, tw = template.shape
    assert v.state.position == (y, x)
    np.testing.assert_array_equal(picture[y : y + th, x : x + tw], template)
    # the reference in float64 (in float32 its FFT is off by up to ~3e-5)
    np.testing.assert_allclose(
        v.state.response, match_template(picture.astype(np.float64), template.astype(np.float64)), rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(v.state.kernel, template - template.mean(), rtol=1e-6, atol=1e-6)
    reference = correlate2d(picture.astype(np.float64), v.state.kernel.astype(np.float64), mode="valid")
    np.testing.assert_allclose(v.state.feature, reference, rtol=1e-4, atol=1e-4)
    assert v.state.response.shape == v.state.feature.shape == (PICTURE_SHAPE[0] - th + 1, PICTURE_SHAPE[1] - tw + 1)
    (r_pos, r_val), (f_pos, f_val) = v.state.response_peak, v.state.feature_peak
    assert r_pos == (y, x) and f_pos == (y, x)
    assert r_val == pytest.approx(1.0, abs=1e-5)
    assert r_val == v.state.response.max() and f_val == v.state.feature.max()
    # the scene sent to the page
    scene = v.view.scene
    assert scene["picture"]["object"] == [y, x, th, tw]
    assert scene["template"]["rows"] == th and scene["template"]["cols"] == tw
    response, feature = scene["maps"]
    assert response["peak"] == feature["peak"] == [y, x]
    assert (response["rows"], response["cols"]) == v.state.response.shape
    assert response["title"] == [f"match_template: peak {r_val:.3f}", f"at row {y}, col {x}"]
    assert feature["title"] == [f"conv2d feature map: peak {format_number(f_val, 5)}", f"at row {y}, col {x}"]
    for key in ("template_png", "picture_png", "response_png", "feature_png"):
        assert getattr(v.view, key)[:8] == b"\x89PNG\r\n\x1a\n"
    text = v.readout_text
    hy, hx = v.state.home
    assert f"peak {r_val:.3f} at row {y}, col {x}" in text
    assert f"peak {format_number(f_val, 5)} at row {y}, col {x}" in text
    assert f"at row {y}, col {x}: moved by ({y - hy:+d}, {x - hx:+d})".replace("-", "−") in text
    assert "translation-equivariant" in text and "not invariant" in text
    assert v.error == "" and v.info == info


def test_defaults(viz):
    assert set(viz.controls) == {"column", "row", "template", "upload"}
    assert viz.controls["template"].value == "coin"
    assert viz.state.template.shape == (18, 20)
    assert viz.controls["column"].max == PICTURE_SHAPE[1] - 20 and viz.controls["row"].max == PICTURE_SHAPE[0] - 18
    assert viz.state.position == (10, 8)
    assert "function explorer({ Draw })" in viz.view._esm and viz.view.label
    _check(viz)
    state = template_matching_state(template_scene("coin"), column=8, row=10)
    np.testing.assert_array_equal(viz.state.feature, state.feature)


@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_moves_by_exactly_the_shift_and_keeps_its_value(viz, template):
    viz.controls["template"].value = template
    _check_follows(viz)


def _check_follows(viz):
    """From where the object is, move it to the corners and back: both peaks follow, with the same value."""
    x0, y0 = viz.controls["column"].value, viz.controls["row"].value
    (pos0, r0), (fpos0, f0) = viz.state.response_peak, viz.state.feature_peak
    assert pos0 == fpos0 == (y0, x0)
    x_max, y_max = viz.controls["column"].max, viz.controls["row"].max
    for x, y in [(0, 0), (x_max, y_max), (0, y_max), (x_max, 0), (x0 + 7, y0 + 3), (x_max // 2, y_max // 2)]:
        viz.controls["column"].value = x
        viz.controls["row"].value = y
        (pos, r), (fpos, f) = viz.state.response_peak, viz.state.feature_peak
        assert pos == fpos == (y, x)
        assert f == pytest.approx(f0, rel=1e-6)  # the same window under the same kernel
        assert r == pytest.approx(r0, abs=1e-5)
        _check(viz, viz.error)


def test_every_control_through_its_range(viz):
    for template in ("digit", "coin"):
        viz.controls["template"].value = template
        for name in ("column", "row"):
            control = viz.controls[name]
            for value in range(control.min, control.max + 1):
                version, changed = viz.view.version, control.value != value
                control.value = value
                assert viz.view.version == version + changed  # one bump per change
                _check(viz)


def test_changing_template_keeps_the_object_inside(viz):
    viz.controls["template"].value = "digit"  # 16x16
    viz.controls["column"].value = viz.controls["column"].max
    viz.controls["row"].value = viz.controls["row"].max
    version = viz.view.version
    viz.controls["template"].value = "coin"  # 18x20: less room
    assert viz.view.version == version + 1
    assert viz.controls["column"].max == PICTURE_SHAPE[1] - 20 == viz.controls["column"].value
    assert viz.controls["row"].max == PICTURE_SHAPE[0] - 18 == viz.controls["row"].value
    _check(viz)


def test_own_template_and_start():
    rng = np.random.default_rng(1)
    own = rng.uniform(0, 1, size=(7, 9))
    v = TemplateMatchingExplorer(own, column=3, row=5)
    try:
        assert v.controls["template"]._options_values == ("coin", "digit", "custom")
        assert v.controls["template"].value == "custom"
        assert v.state.position == (5, 3)
        np.testing.assert_allclose(v.state.template, own, rtol=1e-6)
        _check(v)
        v.controls["column"].value = 40
        assert v.state.feature_peak[0] == (5, 40)
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(template="cat"), ValueError, "`template` must be one of 'coin', 'digit', got 'cat'"),
        (dict(template=np.ones((5, 5))), ValueError, "must not be constant"),
        (dict(template=np.ones((40, 5))), ValueError, "`template` height must be between 3 and 24"),
        (dict(template=np.ones((3, 3, 3))), ValueError, "`template` must be 2-D"),
        (dict(column=200), ValueError, "`column` must be between 0 and 64"),
        (dict(row=-1), ValueError, "`row` must be between 0 and 38"),
        (dict(row=2.5), TypeError, "`row` must be an int"),
        (dict(seed="a"), TypeError, "`seed` must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TemplateMatchingExplorer(**kwargs)


@pytest.mark.parametrize(
    "name, value",
    [
        ("template", None),
        ("template", "cat"),
        ("column", None),
        ("column", 10_000),
        ("row", -5),
        ("row", "x"),
    ],
)
def test_values_outside_the_controls_never_raise(viz, name, value):
    position = viz.state.position
    try:
        viz.controls[name].value = value
    except Exception:  # noqa: BLE001 - the control itself may refuse the value: fine
        pass
    if viz.error:
        assert "Python" not in viz.error and "Error" not in viz.error
        assert viz.state.position == position  # the last good state stays
    viz.controls["template"].value = "coin"
    viz.controls["column"].value = 12
    viz.controls["row"].value = 4
    assert viz.error == ""
    _check(viz)


def test_no_template_chosen_is_said_in_words(viz):
    viz.controls["template"].value = None
    assert viz.error == "Choose a template in the list."
    assert viz.view.notice == viz.error
    viz.controls["template"].value = "digit"
    assert viz.error == "" and viz.view.notice == ""
    _check(viz)


@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_is_the_object_wherever_it_is(viz, template):
    """Over a grid of positions (every 3rd), including over the other object: both maps peak at it."""
    viz.controls["template"].value = template
    values = set()
    for x in range(0, viz.controls["column"].max + 1, 3):
        for y in range(0, viz.controls["row"].max + 1, 3):
            version = viz.view.version
            with viz.hold():
                viz.controls["column"].value = x
                viz.controls["row"].value = y
            assert viz.view.version <= version + 1
            (r_pos, r_val), (f_pos, f_val) = viz.state.response_peak, viz.state.feature_peak
            assert r_pos == f_pos == (y, x)
            assert r_val == pytest.approx(1.0, abs=1e-5)
            values.add(f_val)
    assert max(values) - min(values) <= 1e-6 * max(values)


# -- uploads -------------------------------------------------------------------
def _png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png")
    return buffer.getvalue()


def _expected_upload(content, shape):
    return template_from_image(load_image(content, grey=True, size=UPLOAD_SIZE), shape)


def _drawn(viz):
    """What the page shows: the scene, the pictures, the controls."""
    v = viz.view
    return (
        v.scene,
        v.template_png,
        v.picture_png,
        v.response_png,
        v.feature_png,
        v.version,
        viz.controls["template"].value,
        viz.controls["template"].options,
    )


def test_good_upload_becomes_the_template_and_its_peak_follows_it(viz, send_upload, upload_files):
    coin = viz.state.template
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.info == "Showing mine.png." and viz.error == ""
    assert viz.controls["template"]._options_values == ("coin", "digit", "upload: mine.png")
    assert viz.controls["template"].value == "upload: mine.png"
    template = viz.state.template
    assert template.shape == coin.shape == (18, 20) and template.dtype == np.float32
    np.testing.assert_array_equal(template, _expected_upload(upload_files["good"], (18, 20)))
    assert not np.array_equal(template, coin)
    assert "(upload: mine.png, 18×20)" in viz.readout_text
    _check(viz, "Showing mine.png.")
    _check_follows(viz)
    viz.controls["template"].value = "coin"  # a built-in template comes back
    np.testing.assert_array_equal(viz.state.template, coin)
    _check(viz)
    viz.controls["template"].value = "upload: mine.png"  # and so does the upload
    np.testing.assert_array_equal(viz.state.template, template)
    _check(viz)


def test_upload_takes_the_size_of_the_template_shown(viz, send_upload, upload_files):
    viz.controls["template"].value = "digit"
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.controls["template"].value == "upload: mine.png"
    np.testing.assert_array_equal(viz.state.template, _expected_upload(upload_files["good"], (16, 16)))
    _check_follows(viz)
    assert viz.state.scene.distractor is None


def test_a_second_upload_replaces_the_first(viz, send_upload, upload_files):
    send_upload(viz.controls["upload"], upload_files["good"], "first.png")
    rng = np.random.default_rng(5)
    other = _png_bytes((rng.random((30, 30)) * 255).astype(np.uint8))
    send_upload(viz.controls["upload"], other, "second.png")
    assert viz.info == "Showing second.png." and viz.error == ""
    assert viz.controls["template"]._options_values == ("coin", "digit", "upload: second.png")
    np.testing.assert_array_equal(viz.state.template, _expected_upload(other, (18, 20)))
    _check(viz, "Showing second.png.")


@pytest.mark.parametrize("first", [None, "good"])
@pytest.mark.parametrize(
    "bad, words",
    [
        ("random", "not a picture"),
        ("huge", "too large|cannot be used"),
    ],
)
def test_bad_upload_shows_why_and_keeps_the_template(viz, send_upload, upload_files, first, bad, words):
    if first:
        send_upload(viz.controls["upload"], upload_files[first], "mine.png")
    viz.controls["column"].value = 30
    template, before = viz.state.template, _drawn(viz)
    send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
    assert f"{bad}.png" in viz.error and re.search(words, viz.error)
    assert "BytesIO" not in viz.error
    np.testing.assert_array_equal(viz.state.template, template)
    assert _drawn(viz) == before  # nothing sent to the page
    viz.controls["row"].value = 3  # it keeps working, with the same template
    np.testing.assert_array_equal(viz.state.template, template)
    _check(viz)


def test_constant_upload_is_refused(viz, send_upload):
    before = _drawn(viz)
    send_upload(viz.controls["upload"], _png_bytes(np.full((20, 30), 128, np.uint8)), "flat.png")
    assert viz.error.startswith("The picture has a single shade where it is cut to a template")
    assert _drawn(viz) == before
    assert viz.controls["template"].value == "coin"


def test_a_file_refused_by_the_page_is_said(viz):
    viz.controls["upload"]._on_message(
        None, {"kind": "refused", "name": "big.png", "sentence": "big.png is 36 MB: files up to 8 MB can be sent."}, []
    )
    assert viz.error == "big.png is 36 MB: files up to 8 MB can be sent."

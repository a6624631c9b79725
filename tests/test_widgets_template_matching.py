"""TemplateMatchingExplorer: the peak follows the object by exactly the shift, with the same value."""


import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from scipy.signal import correlate2d
from skimage.feature import match_template

from meia_cnn.data import load_image
from meia_cnn.widgets import TemplateMatchingExplorer
from meia_cnn.widgets.template_matching import PICTURE_SHAPE, UPLOAD_SIZE, make_scene, template_from_image


@pytest.fixture
def viz():
    v = TemplateMatchingExplorer()
    yield v
    v.close()


def _check(v, message=""):
    """Both maps equal independent references and peak at the object; ``message`` is shown."""
    y, x = v.controls["row"].value, v.controls["column"].value
    template, picture = v.template, v.picture
    th, tw = template.shape
    assert v.object_position == (y, x)
    np.testing.assert_array_equal(picture[y:y + th, x:x + tw], template)
    np.testing.assert_array_equal(v.response, match_template(picture, template))
    np.testing.assert_allclose(v.kernel, template - template.mean(), rtol=1e-6, atol=1e-6)
    reference = correlate2d(picture.astype(np.float64), v.kernel.astype(np.float64), mode="valid")
    np.testing.assert_allclose(v.feature_map, reference, rtol=1e-4, atol=1e-4)
    assert v.response.shape == v.feature_map.shape == (PICTURE_SHAPE[0] - th + 1, PICTURE_SHAPE[1] - tw + 1)
    (r_pos, r_val), (f_pos, f_val) = v.response_peak, v.feature_peak
    assert r_pos == (y, x) and f_pos == (y, x)
    assert r_val == pytest.approx(1.0, abs=1e-5)
    assert r_val == v.response.max() and f_val == v.feature_map.max()
    titles = v.titles
    assert titles[2] == f"match_template: peak {r_val:.3f}\nat row {y}, col {x}"
    assert titles[3].endswith(f"at row {y}, col {x}")
    text = v.readout_text
    assert f"peak {r_val:.3f} at row {y}, col {x}" in text
    assert f"at row {y}, col {x}: moved by" in text
    assert v.error == message


def test_defaults(viz):
    assert set(viz.controls) == {"column", "row", "template", "upload"}
    assert viz.controls["template"].value == "coin"
    assert viz.template.shape == (18, 20)
    assert viz.controls["column"].max == PICTURE_SHAPE[1] - 20 and viz.controls["row"].max == PICTURE_SHAPE[0] - 18
    _check(viz)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_moves_by_exactly_the_shift_and_keeps_its_value(viz, template):
    viz.controls["template"].value = template
    _check_follows(viz)


def _check_follows(viz):
    """From where the object is, move it to the corners and back: both peaks follow, with the same value."""
    x0, y0 = viz.controls["column"].value, viz.controls["row"].value
    (pos0, r0), (fpos0, f0) = viz.response_peak, viz.feature_peak
    assert pos0 == fpos0 == (y0, x0)
    x_max, y_max = viz.controls["column"].max, viz.controls["row"].max
    for x, y in [(0, 0), (x_max, y_max), (0, y_max), (x_max, 0), (x0 + 7, y0 + 3), (x_max // 2, y_max // 2)]:
        viz.controls["column"].value = x
        viz.controls["row"].value = y
        (pos, r), (fpos, f) = viz.response_peak, viz.feature_peak
        assert pos == fpos == (y0 + (y - y0), x0 + (x - x0))
        assert f == pytest.approx(f0, rel=1e-6)  # the same window under the same kernel
        assert r == pytest.approx(r0, abs=1e-5)
        _check(viz)
        assert f"moved by ({y - y0:+d}, {x - x0:+d})" in viz.readout_text


def test_every_control_through_its_range(viz):
    viz.fig.canvas.draw()
    before = len(viz.fig.findobj())
    for template in ("digit", "coin"):
        viz.controls["template"].value = template
        for name in ("column", "row"):
            control = viz.controls[name]
            for value in range(control.min, control.max + 1, 5):
                control.value = value
                _check(viz)
            control.value = control.max
            _check(viz)
            viz.fig.canvas.draw()
    assert len(viz.fig.findobj()) == before
    assert plt.get_fignums() == []


def test_changing_template_keeps_the_object_inside(viz):
    viz.controls["template"].value = "digit"  # 16x16
    viz.controls["column"].value = viz.controls["column"].max
    viz.controls["row"].value = viz.controls["row"].max
    viz.controls["template"].value = "coin"  # 18x20: less room
    assert viz.controls["column"].max == PICTURE_SHAPE[1] - 20 == viz.controls["column"].value
    assert viz.controls["row"].max == PICTURE_SHAPE[0] - 18 == viz.controls["row"].value
    _check(viz)


def test_own_template_and_start():
    rng = np.random.default_rng(1)
    own = rng.uniform(0, 1, size=(7, 9))
    v = TemplateMatchingExplorer(own, column=3, row=5)
    try:
        assert v.controls["template"].options == ("coin", "digit", "custom")
        assert v.controls["template"].value == "custom"
        assert v.object_position == (5, 3)
        np.testing.assert_allclose(v.template, own, rtol=1e-6)
        _check(v)
        v.controls["column"].value = 40
        assert v.feature_peak[0] == (5, 40)
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(template="cat"), "`template` must be one of coin, digit"),
        (dict(template=np.ones((5, 5))), "must not be constant"),
        (dict(template=np.ones((40, 5))), "`template height` must be between 3 and 24"),
        (dict(template=np.ones((3, 3, 3))), "`template` must be 2-D"),
        (dict(column=200), "`column` must be between 0 and 64"),
        (dict(row=-1), "`row` must be >= 0"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TemplateMatchingExplorer(**kwargs)


def test_values_out_of_range_are_clamped_and_it_keeps_working(viz):
    viz.controls["column"].value = 10_000
    viz.controls["row"].value = -5
    assert viz.object_position == (0, viz.controls["column"].max)
    _check(viz)

@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_is_the_object_wherever_it_is(viz, template):
    """Over a grid of positions (every 3rd), including over the other object: both maps peak at it."""
    viz.controls["template"].value = template
    values = set()
    for x in range(0, viz.controls["column"].max + 1, 3):
        for y in range(0, viz.controls["row"].max + 1, 3):
            with viz.hold():
                viz.controls["column"].value = x
                viz.controls["row"].value = y
            (r_pos, r_val), (f_pos, f_val) = viz.response_peak, viz.feature_peak
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
    """What the figure and the readout show."""
    images = {key: np.array(image.get_array()) for key, image in viz._images.items()}
    return images, viz.titles, viz.readout_text, viz.controls["template"].value, viz.controls["template"].options


def _assert_same_drawing(before, after):
    images0, *rest0 = before
    images1, *rest1 = after
    assert images0.keys() == images1.keys()
    for key in images0:
        np.testing.assert_array_equal(images1[key], images0[key])
    assert rest1 == rest0


def test_good_upload_becomes_the_template_and_its_peak_follows_it(viz, send_upload, upload_files, artist_guard):
    coin = viz.template
    with artist_guard(viz):
        send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
        assert viz.error == "Showing mine.png"
        assert viz.controls["template"].options == ("coin", "digit", "upload: mine.png")
        assert viz.controls["template"].value == "upload: mine.png"
        template = viz.template
        assert template.shape == coin.shape == (18, 20) and template.dtype == np.float32
        np.testing.assert_array_equal(template, _expected_upload(upload_files["good"], (18, 20)))
        assert template.min() == 0.0 and template.max() == 1.0
        assert not np.array_equal(template, coin)
        assert "(upload: mine.png, 18×20)" in viz.readout_text
        _check(viz, "Showing mine.png")
        _check_follows(viz)
        viz.controls["template"].value = "coin"  # a built-in template comes back
        np.testing.assert_array_equal(viz.template, coin)
        _check(viz)
        viz.controls["template"].value = "upload: mine.png"  # and so does the upload
        np.testing.assert_array_equal(viz.template, template)
        _check(viz)
    assert plt.get_fignums() == []


def test_upload_takes_the_size_of_the_template_shown(viz, send_upload, upload_files):
    viz.controls["template"].value = "digit"
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.controls["template"].value == "upload: mine.png"
    np.testing.assert_array_equal(viz.template, _expected_upload(upload_files["good"], (16, 16)))
    _check_follows(viz)
    # the background is drawn at the uploaded template's border level, with no second object
    _, background, other, _ = make_scene("upload: mine.png", viz.template)
    assert other is None
    y, x = viz.object_position
    picture = viz.picture
    picture[y:y + 16, x:x + 16] = background[y:y + 16, x:x + 16]
    np.testing.assert_array_equal(picture, background)


def test_a_second_upload_replaces_the_first(viz, send_upload, upload_files):
    send_upload(viz.controls["upload"], upload_files["good"], "first.png")
    rng = np.random.default_rng(5)
    other = _png_bytes((rng.random((30, 30)) * 255).astype(np.uint8))
    send_upload(viz.controls["upload"], other, "second.png")
    assert viz.error == "Showing second.png"
    assert viz.controls["template"].options == ("coin", "digit", "upload: second.png")
    np.testing.assert_array_equal(viz.template, _expected_upload(other, (18, 20)))
    _check(viz, "Showing second.png")


@pytest.mark.parametrize("first", [None, "good"])
@pytest.mark.parametrize("bad, words", [
    ("random", "not an image"),
    ("huge", "too large|absurd|decompression bomb"),
])
def test_bad_upload_shows_why_and_keeps_the_template(viz, send_upload, upload_files, artist_guard, first, bad,
                                                     words):
    if first:
        send_upload(viz.controls["upload"], upload_files[first], "mine.png")
    viz.controls["column"].value = 30
    template, before = viz.template, _drawn(viz)
    with artist_guard(viz):
        send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
    assert f"{bad}.png" in viz.error and re.search(words, viz.error)
    np.testing.assert_array_equal(viz.template, template)
    _assert_same_drawing(before, _drawn(viz))
    viz.controls["row"].value = 3  # it keeps working, with the same template
    np.testing.assert_array_equal(viz.template, template)
    _check(viz)


def test_constant_upload_is_refused(viz, send_upload):
    before = _drawn(viz)
    send_upload(viz.controls["upload"], _png_bytes(np.full((20, 30), 128, np.uint8)), "flat.png")
    assert "flat.png" in viz.error and "constant" in viz.error
    _assert_same_drawing(before, _drawn(viz))
    assert viz.controls["template"].value == "coin"


def test_template_from_image_keeps_the_centre():
    image = np.zeros((40, 100))
    image[:, 30:70] = np.linspace(0, 1, 40)[:, None]  # the centre, 40x40, is a vertical ramp
    t = template_from_image(image, (10, 10))
    assert t.shape == (10, 10) and t.dtype == np.float32
    assert np.all(np.diff(t[:, 5]) > 0) and np.ptp(t[5]) < 1e-6  # rows of the ramp, no black border
    with pytest.raises(ValueError, match="constant"):
        template_from_image(np.ones((8, 8)), (4, 4))

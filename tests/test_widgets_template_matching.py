"""TemplateMatchingExplorer: the peak follows the object by exactly the shift, with the same value."""


import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.signal import correlate2d
from skimage.feature import match_template

from meia_cnn.widgets import TemplateMatchingExplorer
from meia_cnn.widgets.template_matching import PICTURE_SHAPE


@pytest.fixture
def viz():
    v = TemplateMatchingExplorer()
    yield v
    v.close()


def _check(v):
    """Both maps equal independent references and peak at the object."""
    y, x = v.controls["y"].value, v.controls["x"].value
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
    assert v.error == ""


def test_defaults(viz):
    assert viz.controls["template"].value == "coin"
    assert viz.template.shape == (18, 20)
    assert viz.controls["x"].max == PICTURE_SHAPE[1] - 20 and viz.controls["y"].max == PICTURE_SHAPE[0] - 18
    _check(viz)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_moves_by_exactly_the_shift_and_keeps_its_value(viz, template):
    viz.controls["template"].value = template
    x0, y0 = viz.controls["x"].value, viz.controls["y"].value
    (pos0, r0), (fpos0, f0) = viz.response_peak, viz.feature_peak
    assert pos0 == fpos0 == (y0, x0)
    x_max, y_max = viz.controls["x"].max, viz.controls["y"].max
    for x, y in [(0, 0), (x_max, y_max), (0, y_max), (x_max, 0), (x0 + 7, y0 + 3), (x_max // 2, y_max // 2)]:
        viz.controls["x"].value = x
        viz.controls["y"].value = y
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
        for name in ("x", "y"):
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
    viz.controls["x"].value = viz.controls["x"].max
    viz.controls["y"].value = viz.controls["y"].max
    viz.controls["template"].value = "coin"  # 18x20: less room
    assert viz.controls["x"].max == PICTURE_SHAPE[1] - 20 == viz.controls["x"].value
    assert viz.controls["y"].max == PICTURE_SHAPE[0] - 18 == viz.controls["y"].value
    _check(viz)


def test_own_template_and_start():
    rng = np.random.default_rng(1)
    own = rng.uniform(0, 1, size=(7, 9))
    v = TemplateMatchingExplorer(own, x=3, y=5)
    try:
        assert v.controls["template"].options == ("coin", "digit", "custom")
        assert v.controls["template"].value == "custom"
        assert v.object_position == (5, 3)
        np.testing.assert_allclose(v.template, own, rtol=1e-6)
        _check(v)
        v.controls["x"].value = 40
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
        (dict(x=200), "`x` must be between 0 and 64"),
        (dict(y=-1), "`y` must be >= 0"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TemplateMatchingExplorer(**kwargs)


def test_values_out_of_range_are_clamped_and_it_keeps_working(viz):
    viz.controls["x"].value = 10_000
    viz.controls["y"].value = -5
    assert viz.object_position == (0, viz.controls["x"].max)
    _check(viz)

@pytest.mark.parametrize("template", ["coin", "digit"])
def test_peak_is_the_object_wherever_it_is(viz, template):
    """Over a grid of positions (every 3rd), including over the other object: both maps peak at it."""
    viz.controls["template"].value = template
    values = set()
    for x in range(0, viz.controls["x"].max + 1, 3):
        for y in range(0, viz.controls["y"].max + 1, 3):
            with viz.hold():
                viz.controls["x"].value = x
                viz.controls["y"].value = y
            (r_pos, r_val), (f_pos, f_val) = viz.response_peak, viz.feature_peak
            assert r_pos == f_pos == (y, x)
            assert r_val == pytest.approx(1.0, abs=1e-5)
            values.add(f_val)
    assert max(values) - min(values) <= 1e-6 * max(values)

"""meia_cnn.explain.template_matching: scenes, maps and peaks against scipy and scikit-image."""

import numpy as np
import pytest
from scipy.signal import correlate2d
from skimage.feature import match_template

from meia_cnn.explain.template_matching import (
    PICTURE_SHAPE,
    template_from_image,
    template_matching_state,
    template_scene,
)


@pytest.mark.parametrize("name, shape", [("coin", (18, 20)), ("digit", (16, 16))])
def test_scene_shapes_and_levels(name, shape):
    scene = template_scene(name)
    assert scene.template.shape == shape and scene.template.dtype == np.float32
    assert scene.background.shape == PICTURE_SHAPE
    assert scene.room == (PICTURE_SHAPE[0] - shape[0], PICTURE_SHAPE[1] - shape[1])
    assert scene.distractor is not None and scene.corner is not None
    assert not scene.template.flags.writeable and not scene.background.flags.writeable
    # the background sits at the template's border level (median), with faint texture
    t = scene.template
    border = np.median(np.concatenate([t[0], t[-1], t[:, 0], t[:, -1]]))
    assert abs(float(np.median(scene.background)) - border) < 0.02
    assert 0.005 < float(scene.background.std()) < 0.06


def test_same_seed_same_background_other_seed_other():
    a, b, c = template_scene("coin", seed=3), template_scene("coin", seed=3), template_scene("coin", seed=4)
    np.testing.assert_array_equal(a.background, b.background)
    assert not np.array_equal(a.background, c.background)


@pytest.mark.parametrize("name", ["coin", "digit"])
def test_maps_equal_the_references_and_peak_at_the_object(name):
    scene = template_scene(name)
    th, tw = scene.template.shape
    rows, cols = scene.room
    values = []
    for row, col in [(0, 0), (rows, cols), (0, cols), (rows // 2, 3), (10, 8)]:
        s = template_matching_state(scene, column=col, row=row, home=(10, 8))
        pic = s.picture
        np.testing.assert_array_equal(pic[row : row + th, col : col + tw], scene.template)
        # the reference in float64 (in float32 its FFT is off by up to ~3e-5)
        reference = match_template(pic.astype(np.float64), scene.template.astype(np.float64))
        np.testing.assert_allclose(s.response, reference, rtol=0, atol=1e-6)
        kernel = scene.template.astype(np.float64) - scene.template.astype(np.float64).mean()
        np.testing.assert_allclose(s.kernel, kernel, atol=1e-6)
        np.testing.assert_allclose(
            s.feature, correlate2d(pic.astype(np.float64), kernel, mode="valid"), rtol=1e-4, atol=1e-4
        )
        assert s.response_peak[0] == s.feature_peak[0] == (row, col)
        assert s.response_peak[1] == pytest.approx(1.0, abs=1e-5)
        assert s.feature_peak[1] == pytest.approx(s.best, rel=1e-5)
        assert s.shift == (row - 10, col - 8)
        values.append(s.feature_peak[1])
    assert max(values) - min(values) <= 1e-6 * max(values)  # equivariance: the same value wherever


def test_own_template_and_its_limits():
    rng = np.random.default_rng(1)
    own = rng.uniform(0, 1, size=(7, 9))
    scene = template_scene("mine", own)
    assert scene.distractor is None and scene.room == (56 - 7, 84 - 9)
    s = template_matching_state(scene, column=40, row=5)
    assert s.feature_peak[0] == (5, 40) and s.home == (5, 40)
    with pytest.raises(ValueError, match="must not be constant"):
        template_scene("flat", np.ones((5, 5)))
    with pytest.raises(ValueError, match="`template` height must be between 3 and 24"):
        template_scene("tall", np.ones((40, 5)))
    with pytest.raises(ValueError, match="give `template`"):
        template_scene("cat")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(column=-1, row=0), ValueError, "`column` must be between 0 and 64"),
        (dict(column=0, row=39), ValueError, "`row` must be between 0 and 38"),
        (dict(column=1.0, row=0), TypeError, "`column` must be an int"),
    ],
)
def test_positions_outside_the_picture_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        template_matching_state(template_scene("coin"), **kwargs)


def test_template_from_image_keeps_the_centre():
    image = np.zeros((40, 100))
    image[:, 30:70] = np.linspace(0, 1, 40)[:, None]  # the centre, 40x40, is a vertical ramp
    t = template_from_image(image, (10, 10))
    assert t.shape == (10, 10) and t.dtype == np.float32
    assert np.all(np.diff(t[:, 5]) > 0) and np.ptp(t[5]) < 1e-6
    with pytest.raises(ValueError, match="constant"):
        template_from_image(np.ones((8, 8)), (4, 4))

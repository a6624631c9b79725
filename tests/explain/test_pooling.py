"""pooling_state and pool_image against scikit-image and windows pooled by hand."""

import numpy as np
import pytest
from skimage.measure import block_reduce

from meia_cnn import arithmetic
from meia_cnn.explain.pooling import pool_image, pooling_state


def _hand(x, size, stride, reduce):
    oh = (x.shape[0] - size) // stride + 1
    ow = (x.shape[1] - size) // stride + 1
    return np.array(
        [
            [reduce(x[i * stride : i * stride + size, j * stride : j * stride + size]) for j in range(ow)]
            for i in range(oh)
        ]
    )


@pytest.mark.parametrize("pooling, reduce", [("max", np.max), ("average", np.mean)])
@pytest.mark.parametrize("size, stride", [(1, 1), (2, 2), (2, 1), (3, 1), (3, 2), (4, 3), (2, 4)])
def test_windows_by_hand(pooling, reduce, size, stride):
    x = np.random.default_rng(3).integers(0, 9, size=(8, 7)).astype(float)
    state = pooling_state(x, size, stride=stride, pooling=pooling)
    expected = _hand(x, size, stride, reduce)
    np.testing.assert_allclose(state.output, expected)
    np.testing.assert_allclose(state.maxima, _hand(x, size, stride, np.max))
    assert state.output_shape == arithmetic.pool_output_size(x.shape, size, stride=stride)
    assert len(state.steps) == expected.size
    for n, st in enumerate(state.steps):
        i, j = divmod(n, expected.shape[1])
        assert st.position == (i, j) and st.origin == (i * stride, j * stride)
        window = x[i * stride : i * stride + size, j * stride : j * stride + size]
        np.testing.assert_array_equal(st.window, window)
        assert st.value == pytest.approx(reduce(window))
        r, c = st.argmax
        assert x[r, c] == window.max()
        assert i * stride <= r < i * stride + size and j * stride <= c < j * stride + size
        np.testing.assert_array_equal(state.indices[i, j], st.argmax)
    assert state.params == 0
    assert not state.output.flags.writeable


def test_stride_defaults_to_the_window():
    x = np.arange(36.0).reshape(6, 6)
    assert pooling_state(x, 3).stride == 3
    assert pooling_state(x, 3).output_shape == (2, 2)


def test_first_maximum_on_ties():
    assert pooling_state(np.ones((2, 2)), 2).steps[0].argmax == (0, 0)


def test_photo_against_scikit_image():
    photo = np.random.default_rng(0).random((40, 30))
    np.testing.assert_allclose(pool_image(photo, 2), block_reduce(photo, (2, 2), np.max))
    np.testing.assert_allclose(pool_image(photo, 2, pooling="average"), block_reduce(photo, (2, 2), np.mean))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(size=4), "larger than"),
        (dict(pooling="min"), "'max' or 'average'"),
        (dict(size=0), "size"),
        (dict(stride=0), "stride"),
    ],
)
def test_errors_name_the_parameter(kwargs, match):
    args = dict(x=np.ones((3, 3)), size=2) | kwargs
    with pytest.raises(ValueError, match=match):
        pooling_state(args.pop("x"), args.pop("size"), **args)

"""Whatever a student passes, the core answers with a result or a ValueError/TypeError.

Never an IndexError, a numpy broadcasting error or a silent wrong shape: random shapes,
sizes, strides, paddings and dilations (valid or not) are thrown at the public functions.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meia_cnn import arithmetic as ar
from meia_cnn import ops

sizes = st.integers(-2, 9)
ints_or_pairs = st.one_of(sizes, st.tuples(sizes, sizes), st.just(1.5), st.just("2"), st.none())
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full", "SAME", "reflect", ""]),
    st.integers(-1, 3),
    st.tuples(st.integers(-1, 2), st.integers(-1, 2)),
    st.tuples(st.tuples(st.integers(-1, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))),
    st.just(1.0),
    st.just([[1, 1]]),
)
shapes = st.lists(st.integers(0, 6), min_size=0, max_size=5).map(tuple)


def _answers_or_refuses(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        assert str(exc), "an error must say what is wrong"
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes, shapes, ints_or_pairs, ints_or_pairs, paddings)
def test_conv2d_answers_or_refuses(xshape, kshape, stride, dilation, padding):
    x = np.ones(xshape)
    k = np.ones(kshape)
    out = _answers_or_refuses(ops.conv2d, x, k, stride=stride, padding=padding, dilation=dilation)
    if out is not None:
        h, w = (xshape[1:3] if len(xshape) == 4 else xshape[:2])
        expected = ar.output_size((h, w), kshape[:2], stride=stride, padding=padding, dilation=dilation)
        assert out.shape[len(xshape) == 4:][:2] == expected


@settings(max_examples=200, deadline=None)
@given(shapes, ints_or_pairs, st.one_of(st.none(), ints_or_pairs), paddings)
def test_pooling_answers_or_refuses(xshape, size, stride, padding):
    x = np.arange(float(np.prod(xshape))).reshape(xshape)
    for pool in (ops.max_pool2d, ops.avg_pool2d):
        out = _answers_or_refuses(pool, x, size, stride=stride, padding=padding)
        if out is not None:
            assert out.ndim == x.ndim


@settings(max_examples=200, deadline=None)
@given(sizes, sizes, ints_or_pairs, paddings, ints_or_pairs)
def test_output_size_answers_or_refuses(i, k, stride, padding, dilation):
    out = _answers_or_refuses(ar.output_size, i, k, stride=stride, padding=padding, dilation=dilation)
    if out is not None:
        # an int for square arguments, a pair (H', W') as soon as one argument is a pair
        sizes_out = out if isinstance(out, tuple) else (out,)
        assert all(isinstance(v, int) and v >= 1 for v in sizes_out)


@pytest.mark.parametrize("mode", ["valid", "same", "full", "nope", 3])
@given(shapes, shapes)
@settings(max_examples=60, deadline=None)
def test_convolve2d_answers_or_refuses(mode, ishape, kshape):
    _answers_or_refuses(ops.convolve2d, np.ones(ishape), np.ones(kshape), mode=mode)

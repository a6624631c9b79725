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
        h, w = xshape[1:3] if len(xshape) == 4 else xshape[:2]
        expected = ar.output_size((h, w), kshape[:2], stride=stride, padding=padding, dilation=dilation)
        assert out.shape[len(xshape) == 4 :][:2] == expected


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


class Tagged(np.ndarray):
    """A custom ndarray subclass, as a student's library might pass."""


#: np.matrix warns that it is pending deprecation; students still meet it
no_matrix_warning = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

SUBCLASSES = [np.matrix, lambda a: np.asarray(a).view(Tagged), np.ma.masked_array]


@no_matrix_warning
@pytest.mark.parametrize("wrap", SUBCLASSES)
def test_subclasses_compute_as_their_base_ndarray(wrap):
    rng = np.random.default_rng(0)
    x, k = rng.random((6, 6)), rng.random((3, 3))
    for fn in (ops.conv2d, ops.convolve2d, ops.conv_transpose2d):
        for args in ((wrap(x), k), (x, wrap(k)), (wrap(x), wrap(k))):
            out = fn(*args)
            assert type(out) is np.ndarray
            np.testing.assert_array_equal(out, fn(x, k))
    for pool in (ops.max_pool2d, ops.avg_pool2d):
        assert type(pool(wrap(x))) is np.ndarray
        np.testing.assert_array_equal(pool(wrap(x)), pool(x))


def test_a_matrix_kernel_no_longer_corrupts_the_heap():
    # it used to kill the kernel (exit 134); run it in a child so a regression cannot take pytest down
    import subprocess
    import sys

    code = (
        "import numpy as np, meia_cnn as m; "
        "print(m.conv_transpose2d(np.ones((2, 2)), np.matrix(np.ones((3, 3)))).sum())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == 36.0


@no_matrix_warning
def test_conv2d_with_a_matrix_kernel_is_the_full_output_not_a_1x1_matrix():
    out = ops.conv2d(np.ones((5, 5)), np.matrix(np.ones((3, 3))))
    assert type(out) is np.ndarray and out.shape == (3, 3)
    np.testing.assert_array_equal(out, np.full((3, 3), 9.0))


def test_a_masked_value_is_refused_not_ignored():
    x = np.ma.masked_array(np.arange(16.0).reshape(4, 4), mask=np.eye(4))
    for fn in (ops.max_pool2d, ops.avg_pool2d, lambda a: ops.conv2d(a, np.ones((2, 2)))):
        with pytest.raises(ValueError, match=r"`x` is a masked array with masked values.*filled"):
            fn(x)
    with pytest.raises(ValueError, match=r"`kernels` is a masked array"):
        ops.conv2d(np.ones((4, 4)), np.ma.masked_array(np.ones((2, 2)), mask=[[1, 0], [0, 0]]))
    # the mask filled in by the caller: the kit computes on the filled values
    np.testing.assert_array_equal(ops.max_pool2d(x.filled(0)), [[4.0, 7.0], [13.0, 14.0]])


# -- the standing sweep of the public API (tests/core/_sweep.py) ---------------------------------------
from . import _sweep  # noqa: E402


@pytest.mark.slow
def test_public_api_answers_or_names_the_parameter():
    """Every public function of the core, nn, explain and the upload path, fed hostile values.

    Run in a child process whose address space is limited to 6 GiB, so that a call trying to
    allocate the impossible fails there; each call is also held under a traced peak of 1 GiB.
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, str(Path(_sweep.__file__)), str(6 * 2**30)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["calls"] > 2500, report["calls"]
    assert report["failures"] == [], "\n".join(map(str, report["failures"]))


def test_the_sweep_finds_every_public_function_through_all():
    found = {name for name, _ in _sweep.public_callables()}
    for expected in (
        "meia_cnn.conv2d",
        "meia_cnn.ops.zero_insert",
        "meia_cnn.nn.Sequential",
        "meia_cnn.nn.softmax",
        "meia_cnn.nn.learn_kernel.learn_kernel",
        "meia_cnn.explain.stride_padding.stride_padding_state",
        "meia_cnn.explain.template_matching.template_from_image",
        "meia_cnn.data.load_image",
    ):
        assert expected in found
    for name, fn in _sweep.public_callables():  # each has good arguments, so each is swept
        assert _sweep.good_args(name, fn) is not None, name


def test_the_sweep_measures_numpy_allocations_and_names_crashes():
    params = list(__import__("inspect").signature(np.ones).parameters.values())
    status, result, peak = _sweep.call(np.ones, {"shape": (1000, 1000)}, params)
    assert status == "ok" and peak >= 8_000_000  # numpy's buffers are traced
    status, result, _ = _sweep.call(lambda: [][1], {}, [])
    assert status == "crash" and result.startswith("IndexError")

"""Asking the core for the impossible gives a named ValueError/TypeError, never MemoryError/OverflowError.

Huge strides and dilations (10**18, ``np.uint64(2**63)``) either give the right answer
(one window) or are refused; paddings, windows and kernels that would need more than
``MAX_ELEMENTS`` elements are refused before anything is allocated, and the memory
used while refusing is measured.
"""

import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meia_cnn import arithmetic as ar
from meia_cnn import ops
from meia_cnn._validation import MAX_ELEMENTS

HUGE = [10**5, 10**7, 10**18, 2**63, np.uint64(2**63), 2**64 + 1]
LIMIT = rf"more than the limit of {MAX_ELEMENTS:,} \(MAX_ELEMENTS\)"


def peak_bytes(fn, *args, **kwargs):
    """Run ``fn`` under tracemalloc (numpy's buffers are traced); return (result or exception, peak)."""
    tracemalloc.start()
    try:
        try:
            result = fn(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            result = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


def test_limit_is_documented_and_exported():
    assert ops.MAX_ELEMENTS == MAX_ELEMENTS == 2**27
    assert "MAX_ELEMENTS" in ops.__doc__ and "MAX_ELEMENTS" in ops.pad.__doc__


# -- huge stride or dilation: the right answer ---------------------------------------
@pytest.mark.parametrize("stride", [10**18, 2**63, np.uint64(2**63), (1, 10**18)])
def test_conv2d_huge_stride_is_one_window(stride):
    x = np.arange(25.0).reshape(5, 5)
    out = ops.conv2d(x, np.ones((3, 3)), stride=stride)
    expected = ops.conv2d(x, np.ones((3, 3)), stride=(5, 5) if np.ndim(stride) == 0 else (1, 5))
    np.testing.assert_array_equal(out, expected)
    assert out[0, 0] == x[:3, :3].sum()


@pytest.mark.parametrize("stride", [10**18, np.uint64(2**63)])
def test_pooling_huge_stride_is_one_window(stride):
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(ops.max_pool2d(x, 2, stride=stride), [[6.0]])
    np.testing.assert_array_equal(ops.avg_pool2d(x, 2, stride=stride), [[3.0]])  # (0 + 1 + 5 + 6) / 4
    out, idx = ops.max_pool2d(x, 2, stride=stride, return_indices=True)
    np.testing.assert_array_equal(idx, [[[1, 1]]])
    assert ar.pool_output_size(5, 2, stride=stride) == 1


def test_huge_dilation_of_a_1x1_kernel_changes_nothing():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(ops.conv2d(x, [[2.0]], dilation=10**18), 2 * x)
    assert ops.sliding_windows(x, 1, stride=10**18, dilation=np.uint64(2**63)).shape == (1, 1, 1, 1)


@pytest.mark.parametrize("dilation", [10**18, np.uint64(2**63)])
def test_huge_dilation_of_a_larger_kernel_is_refused(dilation):
    with pytest.raises(ValueError, match=r"kernel_size=3 with dilation=\d+ \(effective size \d+\) is larger"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=dilation)
    with pytest.raises(ValueError, match="is larger than the padded input"):
        ops.sliding_windows(np.ones((5, 5)), 2, dilation=dilation)


# -- tiny input, huge allocation: refused before allocating -----------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: ops.pad(np.ones((1, 1)), 10**5),
            r"`padding` asks for too much memory: the padded input for padding=100000 would be "
            r"200001×200001 = 40,000,400,001 elements, " + LIMIT,
        ),
        (lambda: ops.pad(np.ones((1, 1)), 10**18), "`padding` asks for too much memory"),
        (
            lambda: ops.conv2d(np.ones((1, 1)), np.ones((1, 1)), padding=10**6),
            r"`padding` asks for too much memory: the padded input for padding=1000000 would be 1×2000001×2000001×1",
        ),
        (
            lambda: ops.max_pool2d(np.ones((1, 1)), 10**6, padding="same"),
            r"`padding` asks for too much memory: the padded input for padding='same' would be 1×1000000×1000000×1",
        ),
        (lambda: ops.avg_pool2d(np.ones((1, 1)), 10**6, padding="same"), "`padding` asks for too much memory"),
        (
            lambda: ops.convolve2d(np.ones((1, 1)), np.zeros((3000, 3000)), mode="full"),
            r"`kernel` asks for too much memory: the im2col matrix of `image` \(1, 1\) and `kernel` \(3000, 3000\) "
            r"would be 9000000×9000000",
        ),
        (
            lambda: ops.conv2d(np.broadcast_to(1.0, (8000, 8000, 1)), np.broadcast_to(1.0, (1, 1, 1, 3))),
            r"`kernels` asks for too much memory: the output would be 1×8000×8000×3 = 192,000,000 elements",
        ),
        (
            lambda: ops.conv_as_matrix(10**5, np.ones((1, 1))),
            r"`input_size` asks for too much memory: the basis images would be",
        ),
        (
            lambda: ops.conv2d(np.broadcast_to(1.0, (10**5, 10**5)), np.ones((3, 3))),
            r"`x` is too large: 100000×100000 = 10,000,000,000 elements, " + LIMIT,
        ),
        (
            lambda: ops.max_pool2d(np.ones((4000, 4000)), 4000, stride=1, padding=1999, return_indices=True),
            r"`size` asks for too much memory: the copied windows",
        ),
        (
            lambda: ops.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), dilation=20000),
            r"`dilation` asks for too much memory: the output before its padding is removed would be "
            r"1×40002×40002×1 = 1,600,160,004 elements, " + LIMIT,
        ),
        (
            lambda: ops.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=10**5),
            r"`stride` asks for too much memory: the output before its padding is removed would be 1×100003×100003×1",
        ),
        (lambda: ops.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=10**18), "`stride` asks for too much"),
        (
            lambda: ops.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=10**5, dilation=20000),
            "`stride` asks for too much memory",
        ),  # the first to cross the limit is named
        (
            lambda: ops.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=(1, 10**5), dilation=(20000, 1)),
            "`dilation` asks for too much memory: the output before its padding is removed would be 1×40002×100003×1",
        ),
        (
            lambda: ops.conv_transpose2d(np.ones((2, 2, 1)), np.ones((3, 3, 1, 1)), stride=(1, 2), dilation=10**5),
            "`dilation` asks for too much memory",
        ),
        (
            lambda: ops.conv_transpose2d(np.broadcast_to(1.0, (4000, 4000)), np.ones((3, 3))),
            r"`kernel` asks for too much memory: the stamps of `x` \(4000, 4000\) and `kernel` \(3, 3\) would be "
            r"16000000×9",
        ),
        (
            lambda: ops.zero_insert(np.ones((2, 2)), 10**5),
            r"`stride` asks for too much memory: the input spread for stride=100000 would be 100001×100001 = ",
        ),
        (lambda: ops.zero_insert(np.ones((3, 2, 2, 1)), (1, 10**18)), "`stride` asks for too much memory"),
        (
            lambda: ops.stretched_input(np.ones((2, 2)), 3, stride=10**5),
            r"`stride` asks for too much memory: the input spread for stride=100000",
        ),
        (
            lambda: ops.stretched_input(np.ones((2, 2)), 3, dilation=20000),
            r"`dilation` asks for too much memory: the stretched input would be 80002×80002 = ",
        ),
        (
            lambda: ops.stretched_input(np.ones((2, 2)), 10**5),
            r"`kernel_size` asks for too much memory: the stretched input would be",
        ),
    ],
)
def test_huge_allocations_are_refused_with_the_parameter_named(call, match):
    result, peak = peak_bytes(call)
    assert isinstance(result, ValueError), result
    assert pytest.raises(ValueError, call).match(match)
    assert peak < 256 * 2**20, f"refusing cost {peak / 2**20:.0f} MiB"


def test_shapes_are_checked_before_values():
    # a broadcast 100000x100000 kernel of NaN: refused by its size, never scanned for NaN
    kernel = np.broadcast_to(np.nan, (10**5, 10**5))
    result, peak = peak_bytes(ops.conv2d, np.ones((5, 5)), kernel)
    assert isinstance(result, ValueError) and "`kernels` is too large" in str(result)
    assert peak < 2**20
    # a NaN kernel larger than the input: the size rule speaks first
    with pytest.raises(ValueError, match=r"kernel_size=7 is larger than the padded input \(5\)"):
        ops.conv2d(np.ones((5, 5)), np.full((7, 7), np.nan))
    with pytest.raises(ValueError, match=r"kernel depth K_d=2 must equal the input depth I_d=3"):
        ops.conv2d(np.full((5, 5, 3), np.nan), np.ones((3, 3, 2, 1)))


# -- pad's fill value ------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, "a", b"0", [1.0], 1 + 2j, True])
def test_pad_value_must_be_a_real_number(value):
    with pytest.raises(TypeError, match=r"`value` must be a real number, got "):
        ops.pad(np.ones((2, 2)), 1, value=value)


def test_pad_value_accepts_numpy_scalars_and_infinity_and_must_fit_the_dtype():
    assert ops.pad(np.ones((1, 1)), 1, value=np.float32(2.5))[0, 0] == 2.5
    assert ops.pad(np.ones((1, 1)), 1, value=np.array(3))[0, 0] == 3.0
    assert ops.pad(np.ones((1, 1)), 1, value=-np.inf)[0, 0] == -np.inf
    with pytest.raises(ValueError, match=r"`value` must fit in float32, got 1e\+300"):
        ops.pad(np.ones((1, 1), np.float32), 1, value=1e300)


# -- standing fuzz: whatever the sizes, an answer or a named refusal, in bounded memory --
small = st.integers(1, 4)
big = st.sampled_from(HUGE)
sizes = st.one_of(small, small, big)
paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 3), big)
# A refusal allocates nothing; an answer may be tens of MiB (a stride of 10**5 stretches a 4-pixel side
# to 300,000 columns: stretched_input's 27 x 300,027 float64 is 62 MiB), far from the GiBs a missing guard takes.
BOUND = 128 * 2**20


def _reference_stride(s, cap):
    """A stride larger than the padded input gives one window: the same as a stride of ``cap``."""
    return min(int(s), cap)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=st.integers(1, 6), w=st.integers(1, 6), k=small, stride=sizes, dilation=sizes, padding=paddings)
def test_conv2d_guards(h, w, k, stride, dilation, padding):
    x = np.arange(h * w, dtype=np.float64).reshape(h, w)
    result, peak = peak_bytes(ops.conv2d, x, np.ones((k, k)), stride=stride, padding=padding, dilation=dilation)
    assert peak < BOUND
    if isinstance(result, Exception):
        assert isinstance(result, ValueError) and str(result)
        return
    cap = 2 * (h + w) + 20
    expected = ops.conv2d(
        x,
        np.ones((k, k)),
        stride=_reference_stride(stride, cap),
        padding=padding,
        dilation=_reference_stride(dilation, cap) if k > 1 else 1,
    )
    np.testing.assert_array_equal(result, expected)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    size=sizes,
    stride=st.one_of(st.none(), sizes),
    padding=paddings,
    indices=st.booleans(),
)
def test_pooling_guards(h, w, size, stride, padding, indices):
    x = np.arange(h * w, dtype=np.float64).reshape(h, w)
    for pool, kwargs in ((ops.max_pool2d, {"return_indices": indices}), (ops.avg_pool2d, {})):
        result, peak = peak_bytes(pool, x, size, stride=stride, padding=padding, **kwargs)
        assert peak < BOUND
        if isinstance(result, Exception):
            assert isinstance(result, ValueError) and str(result)
            continue
        if stride is not None:
            expected = pool(x, size, stride=_reference_stride(stride, 2 * (h + w) + 20), padding=padding, **kwargs)
            for got, want in zip(
                result if indices and pool is ops.max_pool2d else (result,),
                expected if indices and pool is ops.max_pool2d else (expected,),
            ):
                np.testing.assert_array_equal(got, want)


@settings(max_examples=100, deadline=None)
@given(h=st.integers(1, 4), w=st.integers(1, 4), padding=paddings, k=sizes)
def test_pad_guards(h, w, padding, k):
    result, peak = peak_bytes(ops.pad, np.ones((h, w)), padding, kernel_size=k)
    assert peak < BOUND
    if isinstance(result, Exception):
        assert isinstance(result, ValueError) and str(result)
    else:
        assert result.size <= MAX_ELEMENTS


@settings(max_examples=100, deadline=None)
@given(i=sizes, k=sizes, stride=sizes, dilation=sizes, padding=paddings)
def test_output_size_never_overflows(i, k, stride, dilation, padding):
    try:
        out = ar.output_size(i, k, stride=stride, padding=padding, dilation=dilation)
    except ValueError as exc:
        assert "is larger than the padded input" in str(exc)
        return
    assert isinstance(out, int) and out >= 1


steps = st.one_of(small, small, st.sampled_from([10**5, 10**18, 2**63, np.uint64(2**63), 2**64 + 1]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 4),
    w=st.integers(1, 4),
    k=small,
    stride=steps,
    dilation=steps,
    padding=st.integers(0, 3),
    extra=st.integers(0, 3),
)
def test_transposed_guards(h, w, k, stride, dilation, padding, extra):
    # a transposed convolution grows its input: a stride of 10**5 makes a 4-pixel side about
    # 300,000 pixels long (an answer, when the other side is 1); 10**18 is refused unless the side is 1
    x = np.arange(1.0, h * w + 1).reshape(h, w)
    kernel = np.arange(1.0, k * k + 1).reshape(k, k)
    kwargs = dict(stride=stride, padding=padding, output_padding=extra, dilation=dilation)
    results = {}
    for call, args in (
        (ops.conv_transpose2d, (x, kernel)),
        (ops.stretched_input, (x, k)),
        (ops.zero_insert, (x, stride)),
    ):
        result, peak = peak_bytes(call, *args, **(kwargs if call is not ops.zero_insert else {}))
        assert peak < BOUND
        if isinstance(result, Exception):
            assert isinstance(result, ValueError) and str(result)
        else:
            assert result.size <= MAX_ELEMENTS
            results[call] = result
    if ops.zero_insert in results:  # the input's pixels, stride apart, and nothing else
        spread = results[ops.zero_insert]
        np.testing.assert_array_equal(
            spread[:: min(int(stride), spread.shape[0]), :: min(int(stride), spread.shape[1])], x
        )
        assert spread.sum() == x.sum()
    if ops.conv_transpose2d in results:
        out = results[ops.conv_transpose2d]
        assert out.shape == ar.conv_transpose_output_size((h, w), k, **kwargs)
        if ops.stretched_input in results:  # the guide's view gives the same numbers
            direct = ops.conv2d(results[ops.stretched_input], kernel[::-1, ::-1], dilation=dilation)
            np.testing.assert_allclose(direct, out)


@settings(max_examples=60, deadline=None)
@given(
    ih=st.integers(1, 5),
    iw=st.integers(1, 5),
    kh=st.one_of(small, st.sampled_from([3000, 10**5])),
    mode=st.sampled_from(["valid", "same", "full"]),
)
def test_convolve2d_guards(ih, iw, kh, mode):
    kernel = np.broadcast_to(1.0, (kh, kh))
    result, peak = peak_bytes(ops.convolve2d, np.ones((ih, iw)), kernel, mode=mode)
    if isinstance(result, Exception):
        assert isinstance(result, ValueError) and str(result)
        assert peak < BOUND
    else:
        assert (
            result.shape
            == {"valid": (ih - kh + 1, iw - kh + 1), "same": (ih, iw), "full": (ih + kh - 1, iw + kh - 1)}[mode]
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda flag: ar.conv_params(3, 8, 3, bias=flag),
        lambda flag: ar.conv1x1_params(3, 8, bias=flag),
        lambda flag: ar.dense_params(3, 8, bias=flag),
        lambda flag: ar.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32, reduce=flag),
        lambda flag: ops.max_pool2d(np.ones((4, 4)), return_indices=flag),
    ],
)
@pytest.mark.parametrize("flag", ["False", "", 0, 1, None, 1.0, np.int64(1)])
def test_flags_take_a_real_bool_not_any_truthy_value(call, flag):
    with pytest.raises(TypeError, match=r"`(bias|reduce|return_indices)` must be True or False"):
        call(flag)


def test_flags_accept_numpy_bools():
    assert ar.conv_params(3, 8, 3, bias=np.bool_(False)) == ar.conv_params(3, 8, 3, bias=False) == 216
    assert ar.dense_params(3, 8, bias=np.bool_(True)) == 32


def test_numpy_integers_do_not_wrap_around():
    huge = np.uint64(2**64 - 1)
    cost = ar.inception_cost((28, 28, 192), huge, 96, 128, 16, 32, 32)
    assert cost["output_shape"] == (28, 28, 2**64 - 1 + 128 + 32 + 32)
    assert all(type(v) is int for v in cost["output_shape"])
    assert type(cost["params"]) is int and cost["params"] > 2**64


@pytest.mark.parametrize("value", [10**400, -(10**400)])
def test_a_fill_value_too_large_for_a_float_is_a_value_error(value):
    with pytest.raises(ValueError, match=r"`value` is too large for a float, got an integer of 401 digits"):
        ops.pad(np.ones((2, 2)), 1, value=value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_average_pooling_near_the_largest_float_does_not_overflow(dtype):
    top = float(np.finfo(dtype).max) * 0.9
    x = np.full((4, 4), top, dtype)
    for kwargs in ({}, {"size": 3, "stride": 1, "padding": "same"}):
        out = ops.avg_pool2d(x, **kwargs)
        assert out.dtype == dtype and np.isfinite(out).all()
        np.testing.assert_allclose(out, top, rtol=1e-6)
    np.testing.assert_allclose(ops.avg_pool2d(-x), -top, rtol=1e-6)


# -- the explanations and learning a kernel: the same guards as the core -----------------------------
def _explain_calls():
    from meia_cnn.explain import convolution, one_by_one, pooling, stride_padding, transposed
    from meia_cnn.nn.learn_kernel import learn_kernel

    big, wide, deep = np.ones((2000, 2000)), np.ones((1000, 1000)), np.ones((200, 200, 3))  # built outside
    square, kernel = np.ones((250, 250)), np.ones((160, 160))
    return [
        (
            lambda: stride_padding.stride_padding_state(10**5, 3),
            r"`input_size`=100000 asks for 9,999,600,004 steps, more than the 10,000 .*\(MAX_STEPS\)",
        ),
        (lambda: transposed.transposed_conv_state(10**5, 3), r"`input_size`=100000 asks for .* steps"),
        (
            lambda: convolution.convolution_steps(big, np.ones((3, 3))),
            r"`image`=\(2000, 2000\) asks for 3,992,004 steps",
        ),
        (lambda: pooling.pooling_state(wide, 2), r"`x`=\(1000, 1000\) asks for 250,000 steps"),
        (lambda: one_by_one.one_by_one_state(deep, np.ones((3, 2))), r"`x`=\(200, 200, 3\) asks for 40,000 steps"),
        (
            lambda: convolution.convolution_steps(square, kernel),
            r"`image`=\(250, 250\) asks for 8,281 steps of 51,200 numbers each, more than the 2,000,000",
        ),
        (lambda: learn_kernel(image_size=10**5), r"`image_size` asks for too much memory: the images would be"),
        (lambda: learn_kernel(samples=10**9), r"`samples` asks for too much memory"),
    ]


@pytest.mark.parametrize("index", range(8))
def test_explanations_refuse_huge_settings_before_allocating(index):
    call, match = _explain_calls()[index]
    result, peak = peak_bytes(call)
    assert isinstance(result, ValueError), result
    assert re.search(match, str(result)), str(result)
    assert peak < 16 * 2**20


def test_convolution_steps_of_a_large_image_is_refused_at_once():
    import time

    from meia_cnn.explain import convolution

    start = time.perf_counter()  # it ran for more than 10 s
    with pytest.raises(ValueError, match="MAX_STEPS"):
        convolution.convolution_steps(np.ones((2000, 2000)), np.ones((3, 3)))
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "shape, error, match",
    [
        ((0, 0), ValueError, r"`shape` must be >= 1, got 0"),  # ZeroDivisionError before
        ((5, -1), ValueError, r"`shape` must be >= 1"),
        ((2.5, 3), TypeError, r"`shape` must be an int or a pair of ints"),
        ((10**5, 10**5), ValueError, r"`shape` asks for too much memory: the template would be 100000×100000"),
    ],
)
def test_a_template_shape_is_checked(shape, error, match):
    from meia_cnn.explain.template_matching import template_from_image

    with pytest.raises(error, match=match):
        template_from_image(np.random.default_rng(0).random((64, 64)), shape)


@pytest.mark.parametrize(
    "call",
    [
        lambda flag: __import__("meia_cnn.explain.convolution", fromlist=["x"]).convolution_steps(
            np.ones((4, 4)), np.ones((3, 3)), flip=flag
        ),
        lambda flag: __import__("meia_cnn.explain.convolution", fromlist=["x"]).filter_photo(
            np.ones((4, 4)), np.ones((3, 3)), flip=flag
        ),
        lambda flag: __import__("meia_cnn.explain.architecture", fromlist=["x"]).architecture_state(
            "lenet5", detail=flag
        ),
    ],
)
def test_explanation_flags_take_a_real_bool(call):
    with pytest.raises(TypeError, match=r"`(flip|detail)` must be True or False, got 'False'"):
        call("False")
    call(np.bool_(False))

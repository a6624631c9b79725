"""Output sizes, padding, receptive fields and costs against worked answers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meia_cnn import arithmetic as ar


# -- the slides' exercise table: 28x28x3 input, 8 kernels 3x3 -----------------
@pytest.mark.parametrize(
    "padding, stride, expected",
    [("valid", 1, (26, 26, 8)), ("same", 1, (28, 28, 8)), ("valid", 2, (13, 13, 8))],
)
def test_exercise_table(padding, stride, expected):
    assert ar.feature_map_shape((28, 28, 3), 8, 3, stride=stride, padding=padding) == expected


# -- equation (3): G_w = floor((I_w - K_w) / s) + 1 ----------------------------
@pytest.mark.parametrize(
    "i, k, s, expected",
    [(5, 3, 1, 3), (5, 3, 2, 2), (7, 3, 2, 3), (6, 3, 2, 2), (28, 5, 1, 24), (227, 11, 4, 55), (4, 4, 1, 1)],
)
def test_equation_3(i, k, s, expected):
    assert ar.output_size(i, k, stride=s) == expected == (i - k) // s + 1


# -- equation (4): O_w = floor((I_w - W_w) / s) + 1 ----------------------------
@pytest.mark.parametrize(
    "i, w, s, expected",
    [(4, 2, None, 2), (26, 2, None, 13), (5, 2, None, 2), (55, 3, 2, 27), (13, 3, 2, 6), (224, 2, 2, 112)],
)
def test_equation_4(i, w, s, expected):
    assert ar.pool_output_size(i, w, stride=s) == expected


def test_padding_modes_and_pairs():
    assert ar.output_size(5, 3, padding="full") == 7
    assert ar.output_size(5, 3, padding=1) == 5
    assert ar.output_size(5, 3, padding=((1, 0), (0, 0))) == (4, 3)
    assert ar.output_size((28, 30), (3, 5)) == (26, 26)
    assert ar.output_size(7, 3, dilation=2) == 3  # effective kernel 5
    assert ar.output_size(10, 3, stride=3, padding="same") == 4  # ceil(10 / 3)
    assert ar.output_size(3, 5, padding="full") == 7  # a kernel may exceed the input when padded


@pytest.mark.parametrize(
    "i, k, s, d, expected",
    [
        (28, 3, 1, 1, ((1, 1), (1, 1))),
        (28, 4, 1, 1, ((1, 2), (1, 2))),  # the extra zero goes bottom/right
        (5, 3, 2, 1, ((1, 1), (1, 1))),
        (6, 3, 2, 1, ((0, 1), (0, 1))),
        (7, 3, 1, 2, ((2, 2), (2, 2))),
        (224, 7, 2, 1, ((2, 3), (2, 3))),  # GoogLeNet's first layer in TensorFlow
    ],
)
def test_same_padding_amounts(i, k, s, d, expected):
    assert ar.padding_amounts(i, k, stride=s, padding="same", dilation=d) == expected
    assert ar.output_size(i, k, stride=s, padding="same", dilation=d) == -(-i // s)


def test_receptive_field():
    assert ar.receptive_field([(3, 1)] * 2) == 5
    assert ar.receptive_field([(3, 1)] * 3) == 7
    assert ar.receptive_field([(3, 1, 2)]) == 5
    # AlexNet conv1 (11/4) -> pool (3/2) -> conv2 (5/1): 11 + 2*4 + 4*8 = 51
    assert ar.receptive_field([(11, 4), (3, 2), (5, 1)]) == 51
    assert ar.receptive_field([]) == 1


def test_costs_by_hand():
    assert ar.conv_params(3, 8, 3) == 3 * 3 * 3 * 8 + 8 == 224
    assert ar.conv_params(1, 6, 5) == 156  # LeNet-5 C1
    assert ar.conv_params(64, 64, (3, 3), bias=False) == 36864
    assert ar.conv_macs((28, 28, 3), 8, 3) == 26 * 26 * 8 * 27
    assert ar.conv_macs((32, 32, 1), 6, 5) == 28 * 28 * 6 * 25  # LeNet-5 C1: 117,600
    assert ar.conv1x1_params(192, 16) == 192 * 16 + 16
    assert ar.conv1x1_macs((28, 28, 192), 16) == 28 * 28 * 192 * 16
    assert ar.pool_params(2) == 0 and ar.pool_macs((26, 26, 8), 2) == 0
    assert ar.pool_comparisons((4, 4, 1), 2) == 4 * 3
    assert ar.dense_params(400, 120) == 48120
    assert ar.dense_macs(84, 10) == 840


def test_inception_3a():
    cost = ar.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32)
    assert cost["output_shape"] == (28, 28, 256)
    assert [b["output_shape"][2] for b in cost["branches"]] == [64, 128, 32, 32]
    assert cost["params"] == sum(
        [192 * 64 + 64, 192 * 96 + 96 + 9 * 96 * 128 + 128, 192 * 16 + 16 + 25 * 16 * 32 + 32, 192 * 32 + 32]
    )
    naive = ar.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32, reduce=False)
    assert naive["output_shape"] == (28, 28, 64 + 128 + 32 + 192)
    assert naive["macs"] > 2 * cost["macs"]  # the point of the 1x1 reductions


@settings(max_examples=200, deadline=None)
@given(
    i=st.integers(1, 60),
    k=st.integers(1, 9),
    s=st.integers(1, 5),
    d=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same", "full", 0, 1, 2]),
)
def test_output_size_formula(i, k, s, d, padding):
    k_eff = d * (k - 1) + 1
    try:
        (t, b), _ = ar.padding_amounts(i, k, stride=s, padding=padding, dilation=d)
    except ValueError:
        assert padding in ("valid", 0, 1, 2) and i + 2 * (padding if isinstance(padding, int) else 0) < k_eff
        return
    assert ar.output_size(i, k, stride=s, padding=padding, dilation=d) == (i + t + b - k_eff) // s + 1 >= 1


# -- bad input ----------------------------------------------------------------
def test_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"kernel_size=7 is larger than the padded input \(5\) for padding='valid'"):
        ar.output_size(5, 7)


def test_dilated_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"dilation=3 \(effective size 7\)"):
        ar.output_size(5, 3, dilation=3)


@pytest.mark.parametrize("stride", [0, -1])
def test_stride_below_one(stride):
    with pytest.raises(ValueError, match=rf"`stride` must be >= 1, got {stride}"):
        ar.output_size(28, 3, stride=stride)


@pytest.mark.parametrize("stride", [1.5, "2", None, True])
def test_stride_not_int(stride):
    with pytest.raises(TypeError, match="`stride` must be an int or a pair"):
        ar.output_size(28, 3, stride=stride)


def test_dilation_zero():
    with pytest.raises(ValueError, match="`dilation` must be >= 1, got 0"):
        ar.output_size(28, 3, dilation=0)


@pytest.mark.parametrize("padding", ["middle", -1, 1.5, ((1, 2),), ((1, -1), (0, 0))])
def test_unknown_padding(padding):
    with pytest.raises(ValueError, match="`padding` must be"):
        ar.output_size(28, 3, padding=padding)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"`input_shape` must be \(H, W\) or \(H, W, C\)"):
        ar.feature_map_shape((28,), 8, 3)
    with pytest.raises(ValueError, match=r"`input_shape` must be \(H, W, C\)"):
        ar.conv_macs((28, 28), 8, 3)


def test_bad_kernel_count():
    with pytest.raises(ValueError, match="`filters` must be >= 1, got 0"):
        ar.feature_map_shape((28, 28, 3), 0, 3)


def test_pool_window_larger_than_input():
    with pytest.raises(ValueError, match=r"size=3 is larger than the padded input \(2\)"):
        ar.pool_output_size(2, 3)


def test_bad_receptive_field_layers():
    with pytest.raises(ValueError, match=r"`layers\[1\]` must be \(kernel_size, stride\)"):
        ar.receptive_field([(3, 1), (3,)])
    with pytest.raises(TypeError, match="`layers` must be a sequence"):
        ar.receptive_field(3)


# -- one return rule: an int for ints, a pair as soon as anything is given per axis ------
@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((28, 3), {}, 26),
        ((28, 3), {"stride": 2, "padding": "same", "dilation": 1}, 14),
        ((28, 3), {"padding": 1}, 28),
        ((np.int64(28), np.uint8(3)), {"stride": np.int32(2)}, 13),
        ((np.array(5), 3), {}, 3),  # a 0-d integer array is an int
        ((np.array(5), np.array(3)), {"stride": np.array(1)}, 3),
        (((28, 28), 3), {}, (26, 26)),  # a pair anywhere: a pair back
        ((28, (3, 5)), {}, (26, 24)),
        ((28, 3), {"stride": (1, 2)}, (26, 13)),
        ((28, 3), {"dilation": (1, 2)}, (26, 24)),
        ((28, 3), {"padding": (1, 0)}, (28, 26)),  # padding per axis
        ((28, 3), {"padding": ((1, 1), (0, 0))}, (28, 26)),
        ((np.array([28, 30]), 3), {}, (26, 28)),
    ],
)
def test_output_size_return_rule(args, kwargs, expected):
    out = ar.output_size(*args, **kwargs)
    assert out == expected and type(out) is type(expected)
    if isinstance(out, tuple):
        assert all(type(v) is int for v in out)


def test_pool_output_size_follows_the_same_rule():
    assert ar.pool_output_size(26, 2) == 13
    assert ar.pool_output_size((26, 26), 2) == (13, 13)
    assert ar.pool_output_size(np.array(26), np.array(2)) == 13


@pytest.mark.parametrize("bad", [np.array([1, 2, 3]), np.array([[5]]), np.array(5.0), "5"])
def test_output_size_refuses_arrays_that_are_not_sizes(bad):
    with pytest.raises(TypeError, match="`input_size` must be an int or a pair of ints"):
        ar.output_size(bad, 3)


def test_pool_params_and_macs_validate_their_arguments():
    assert ar.pool_params(3) == ar.pool_params((2, 3)) == ar.pool_params() == 0
    assert ar.pool_macs((26, 26, 8), 2) == ar.pool_macs((7, 7, 1), 3, stride=2, padding="same") == 0
    with pytest.raises(ValueError, match="`size` must be >= 1, got 0"):
        ar.pool_params(0)
    with pytest.raises(TypeError, match="`size` must be an int or a pair"):
        ar.pool_params("big")
    with pytest.raises(ValueError, match=r"`input_shape` must be \(H, W, C\)"):
        ar.pool_macs((26, 26), 2)
    with pytest.raises(ValueError, match=r"size=3 is larger than the padded input \(2\)"):
        ar.pool_macs((2, 2, 1), 3)
    with pytest.raises(TypeError):
        ar.pool_macs((26, 26, 8), 2, 2)  # options are keyword-only

"""inception_state against the core's inception_cost and hand counts of GoogLeNet (3a)."""

import pytest

from meia_cnn import arithmetic
from meia_cnn.explain.inception import inception_state


def test_googlenet_3a_by_hand():
    state = inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32)
    assert state.depths == (64, 128, 32, 32) and state.output_shape == (28, 28, 256)
    assert state.naive_depths == (64, 128, 32, 192)
    hand = (
        (192 * 64 + 64) + (192 * 96 + 96 + 9 * 96 * 128 + 128) + (192 * 16 + 16 + 25 * 16 * 32 + 32) + (192 * 32 + 32)
    )
    assert state.cost["params"] == hand == 163_696
    assert state.naive["params"] == 387_296
    assert state.saved["params"] == pytest.approx(1 - 163_696 / 387_296)
    assert state.saved["macs"] == pytest.approx(1 - 128_049_152 / 303_464_448)
    assert state.wide == ()


@pytest.mark.parametrize(
    "shape, counts", [((14, 14, 480), (192, 96, 208, 16, 48, 64)), ((5, 5, 3), (2, 4, 1, 1, 3, 2))]
)
def test_equals_the_core(shape, counts):
    state = inception_state(shape, *counts)
    assert state.cost == arithmetic.inception_cost(shape, *counts)
    assert state.naive == arithmetic.inception_cost(shape, *counts, reduce=False)


def test_a_reduction_wider_than_the_input_is_named():
    assert inception_state((8, 8, 64), 64, 96, 128, 16, 32, 32).wide == ("n3x3_reduce",)
    assert inception_state((8, 8, 8), 64, 96, 128, 16, 32, 32).saved["params"] < 0


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="n3x3"):
        inception_state((8, 8, 8), 1, 1, 0, 1, 1, 1)

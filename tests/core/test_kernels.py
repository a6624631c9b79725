"""meia_cnn.kernels: presets are the textbook kernels; typed kernels are read safely and quickly."""

import time

import numpy as np
import pytest

from meia_cnn.kernels import (
    KERNEL_PRESETS,
    MAX_KERNEL_TEXT,
    common_denominator,
    kernel_preset,
    kernel_text,
    parse_kernel,
)


def test_preset_kernels_are_the_textbook_ones():
    np.testing.assert_array_equal(kernel_preset("sobel_y"), kernel_preset("sobel_x").T)
    assert kernel_preset("box blur", 5).sum() == pytest.approx(1)
    assert kernel_preset("gaussian").tolist() == (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist()
    assert kernel_preset("laplacian").tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    for name in ("sobel_x", "sobel_y", "laplacian"):
        for k in (3, 5):
            assert kernel_preset(name, k).sum() == 0
    for name in ("identity", "sharpen", "emboss"):
        for k in (3, 5):
            assert kernel_preset(name, k).sum() == pytest.approx(1)


@pytest.mark.parametrize("name, size", [("blur", 3), ("sobel_x", 4), ("sobel_x", True), (None, 3)])
def test_bad_preset_requests(name, size):
    with pytest.raises(ValueError, match="preset must be one of|must be 3 or 5"):
        kernel_preset(name, size)


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("name", list(KERNEL_PRESETS))
def test_kernel_text_reads_back_as_the_same_kernel(name, size):
    kernel = kernel_preset(name, size)
    np.testing.assert_allclose(parse_kernel(kernel_text(kernel)), kernel, rtol=1e-12)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 2 3\n4 5 6\n7 8 9", np.arange(1.0, 10).reshape(3, 3)),
        ("1,2,3; 4,5,6; 7,8,9", np.arange(1.0, 10).reshape(3, 3)),
        ("−1 .5 2e-1\n1/4 +3 0\n0 0 -1/2", [[-1, 0.5, 0.2], [0.25, 3, 0], [0, 0, -0.5]]),
    ],
)
def test_what_a_student_may_type(text, expected):
    np.testing.assert_allclose(parse_kernel(text), expected)


@pytest.mark.parametrize(
    "text, rule",
    [
        ("1 2 3\n4 5 6", "3 rows of 3 numbers or 5 rows of 5"),
        ("1 2 3\n4 5 6\n7 8", "row 3 has 2 numbers"),
        ("1 2 3\n4 x 6\n7 8 9", "'x' is not a number"),
        ("1 2 3\n4 nan 6\n7 8 9", "'nan' is not a number"),
        ("1 2 3\n4 inf 6\n7 8 9", "'inf' is not a number"),
        ("1 2 3\n4 1e999 6\n7 8 9", "must be a finite number"),
        ("1e308 1e308 1e308\n1e308 1e308 1e308\n1e308 1e308 1e308", "must be a finite number between"),
        ("1 2 3\n4 1/0 6\n7 8 9", "divides by zero"),
        ("1 2 3\n4 1/2/3 6\n7 8 9", "is not a number"),
        ("1 2 3\n4 " + "9" * 50 + " 6\n7 8 9", "50 characters long"),
        ("", "got 0 rows"),
    ],
)
def test_bad_text_is_refused_with_a_sentence(text, rule):
    with pytest.raises(ValueError, match="kernel") as info:
        parse_kernel(text)
    assert rule in str(info.value)


def test_long_text_is_refused_at_once():
    """A quadratic pattern once took 42 s on 40,000 digits: the cap and the parser are linear."""
    with pytest.raises(ValueError, match=f"at most {MAX_KERNEL_TEXT:,}"):
        parse_kernel("1" * 40_000 + "x 1 1\n1 1 1\n1 1 1")
    nasty = ("1" * 39 + "x ") * 3 + "\n" + "1 1 1\n1 1 1"  # many long tokens within the cap
    start = time.perf_counter()
    with pytest.raises(ValueError, match="is not a number"):
        parse_kernel(nasty)
    assert time.perf_counter() - start < 0.5


def test_text_must_be_a_string():
    with pytest.raises(TypeError, match="must be a string"):
        parse_kernel(None)


@pytest.mark.parametrize(
    "values, den",
    [
        ([[1 / 16, 2 / 16], [4 / 16, 1]], 16),
        ([[0.1234567, 1.0]], 1),
        ([[1e300, 1.0]], 1),
        ([[np.inf, 1.0]], 1),
        ([[500.5, 1.0]], 1),
    ],
)
def test_common_denominator(values, den):
    assert common_denominator(values) == den


@pytest.mark.parametrize("text", ["-2,0 1 0\n0 0 0\n0 0 0", "1 0,5 1\n0 0 0\n0 0 0", "0,25 0,5 0,25\n0 0 0\n0 0 0"])
def test_a_decimal_comma_in_a_kernel_is_named(text):
    with pytest.raises(ValueError, match="decimal comma; write decimals with a point"):
        parse_kernel(text)


def test_commas_between_numbers_still_separate_them():
    assert parse_kernel("1,2,1\n0,0,0\n-1,-2,-1")[2, 1] == -2
    assert parse_kernel("1, 2, 1\n0, 0, 0\n-1, -2, -1")[0, 1] == 2

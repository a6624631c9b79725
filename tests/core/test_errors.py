"""Errors with codes: the English message stays, the code and its fields say what went wrong."""

import copy
import io
import pickle

import numpy as np
import pytest
from PIL import Image

from meia_cnn import data
from meia_cnn.errors import KitError, KitTypeError, KitValueError
from meia_cnn.explain.template_matching import template_from_image
from meia_cnn.kernels import parse_kernel


def test_a_kit_error_is_the_builtin_it_refines_and_keeps_its_fields_when_copied():
    exc = KitValueError("`x` is bad", code="some_code", value=3)
    assert isinstance(exc, ValueError) and isinstance(exc, KitError) and str(exc) == "`x` is bad"
    assert isinstance(KitTypeError("t", code="c"), TypeError)
    for again in (pickle.loads(pickle.dumps(exc)), copy.copy(exc)):
        assert (type(again), str(again), again.code, again.params) == (
            KitValueError,
            "`x` is bad",
            "some_code",
            {"value": 3},
        )


@pytest.mark.parametrize(
    "text, code, params",
    [
        ("1 2\n3 4", "kernel_row_count", {"n": 2}),
        ("1 2 3\n4 5 6\n7 8", "kernel_row_length", {"size": 3, "row": 3, "n": 2}),
        ("1 2 3\n4 x 6\n7 8 9", "kernel_not_a_number", {"row": 2, "col": 2, "text": "x"}),
        ("1 2 3\n4 1/0 6\n7 8 9", "kernel_divides_by_zero", {"row": 2, "col": 2, "text": "1/0"}),
        (
            "1 2 3\n4 1e999 6\n7 8 9",
            "kernel_out_of_range",
            {"row": 2, "col": 2, "text": "1e999", "low": "-1,000,000", "high": "1,000,000"},
        ),
        ("1 2 3\n4 " + "1" * 200 + " 6\n7 8 9", "kernel_token_too_long", {"row": 2, "col": 2, "length": 200}),
    ],
)
def test_kernel_text_errors_carry_their_code_and_fields(text, code, params):
    with pytest.raises(KitValueError) as info:
        parse_kernel(text)
    assert (info.value.code, info.value.params) == (code, params)


def _png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png")
    return buffer.getvalue()


def test_image_errors_carry_their_code_and_the_files_name():
    cases = [
        (b"", {}, "image_empty", {"name": "a.png"}),
        (b"not a picture at all", {}, "image_unreadable", {"name": "a.png"}),
        (
            _png(np.zeros((10, 30), np.uint8)),
            {"min_size": (20, 40)},
            "image_too_small",
            {"name": "a.png", "width": 30, "height": 10, "need_width": 40, "need_height": 20},
        ),
    ]
    for content, kwargs, code, params in cases:
        with pytest.raises(KitValueError) as info:
            data.load_image(content, name="a.png", **kwargs)
        assert (info.value.code, info.value.params) == (code, params)
    with pytest.raises(KitValueError) as info:
        data.load_image(b"x" * 20, name="a.png", max_bytes=10)
    assert (info.value.code, info.value.params) == ("image_too_large", {"name": "a.png"})


def test_a_constant_template_is_refused_with_its_code():
    with pytest.raises(KitValueError, match="constant") as info:
        template_from_image(np.full((40, 40), 0.5), (8, 8))
    assert info.value.code == "template_constant"

"""The exercises of notebook 04b: solutions worked by hand, hints for the known mistakes."""

import numpy as np
import pytest

from meia_cnn import exercises
from meia_cnn.exercises import nb04b

BY_ID = {ex.id: ex for ex in nb04b.EXERCISES}


def test_ids_are_new_and_belong_to_notebook_04b():
    assert list(BY_ID) == ["04b.output_size", "04b.matrix_rows", "04b.by_hand"]
    assert all(ex.notebook == "04b" for ex in BY_ID.values())
    for exercise_id in BY_ID:  # registered: this very definition
        assert exercises.get(exercise_id) is BY_ID[exercise_id]


def test_output_size_by_hand():
    ex = BY_ID["04b.output_size"]
    # a 5x5 input, k = 3, s = 2, p = 1: o = s (i - 1) + (k - 1) + 1 - 2p = 2 * 4 + 2 + 1 - 2 = 9
    assert ex.solution() == 9
    assert ex.check(9).correct and ex.check(9.0).correct
    assert "equation (3)" in ex.check(3).message  # the convolution's size, (5 + 2 - 3) // 2 + 1
    assert "subtract 2p" in ex.check(11).message  # the padding forgotten
    # 10 is the padding removed once and also s·i, "stride 2 doubles the size": neither hint, a neutral one
    assert "more than one usual mistake" in ex.check(10).message
    assert "2p in total" not in ex.check(10).message and "multiply" not in ex.check(10).message
    assert "+ (k − 1) + 1" in ex.check(8).message  # the stamp's width off by one
    assert ex.check(12).message.startswith("Not yet: o = s·(i − 1)")
    assert "2 \\cdot (5 - 1) + (3 - 1) + 1 - 2 \\cdot 1 = 9" in ex.solution_text()
    assert ex.check(...).status == "waiting"
    assert ex.check("seven").status == "invalid"


def test_matrix_rows_by_hand():
    ex = BY_ID["04b.matrix_rows"]
    # C maps 36 input pixels to (6 - 3 + 1)^2 = 16 outputs: 16 x 36; its transpose 36 x 16
    assert ex.solution() == 36
    assert ex.check(36).correct
    assert "rows of C itself" in ex.check(16).message
    assert ex.check(25).message.startswith("Not yet: C has one row per output pixel")
    assert ex.check((36, 16)).status == "invalid"
    assert "$C^T$ is 36 × 16: 36 rows" in ex.solution_text() and "$C$ is 16 × 36" in ex.solution_text()


def test_by_hand_stamps():
    ex = BY_ID["04b.by_hand"]
    # 1K at (0, 0), 2K at (0, 1), 0K at (1, 0), 3K at (1, 1) with K = [[1, 0], [2, 1]]
    expected = [[1, 2, 0], [2, 1 + 4 + 3, 2], [0, 6, 3]]
    np.testing.assert_array_equal(ex.solution(), expected)
    assert ex.check(expected).correct
    flipped = [
        [1, 2 + 2, 4],  # stamps of [[1, 2], [0, 1]]
        [0, 1 + 0 + 3, 2 + 6],
        [0, 0, 3],
    ]
    assert "rotated by 180°" in ex.check(flipped).message
    assert ex.check([[1, 2], [2, 8]]).status == "invalid"


@pytest.mark.parametrize("exercise_id", ["04b.output_size", "04b.matrix_rows", "04b.by_hand"])
def test_templates_wait_and_solutions_check(exercise_id):
    ex = BY_ID[exercise_id]
    assert ex.template.startswith("answer = ...")
    assert ex.check(ex.solution()).message.startswith("Correct!")
    assert ex.solution_text()


@pytest.mark.parametrize("exercise_id", ["04b.output_size", "04b.matrix_rows", "04b.by_hand"])
def test_new_numbers_keep_their_hints(exercise_id):
    ex = BY_ID[exercise_id]
    seen = set()
    for variant in range(1, 25):
        p = ex.params(variant)
        seen.add(repr(sorted((k, np.asarray(v).tolist()) for k, v in p.items())))
        solution = ex.solve(p)
        assert ex.check(solution, variant=variant).correct
        for wrong, _ in ex.mistakes:
            result = ex.check(wrong(p), variant=variant)
            assert not result.correct and not result.message.startswith("Not yet: o = ")
    assert len(seen) > 5  # neighbours get different numbers

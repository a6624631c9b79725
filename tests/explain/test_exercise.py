"""What the exercise widgets show, built without a widget library: verdicts, solutions, row marks, typed answers."""

from meia_cnn import exercises
from meia_cnn.explain._render import PALETTE, plain_text
from meia_cnn.explain.exercise import feedback_html, solution_html, table_marks


def test_the_verdict_is_coloured_by_its_status_and_escaped():
    right = feedback_html(exercises.check("04.output_size", 7))
    assert PALETTE["green"] in right and plain_text(right) == "Correct!"
    waiting = feedback_html(exercises.check("04.output_size", ...))
    assert PALETTE["blue"] in waiting
    wrong = feedback_html(exercises.Feedback("x", "wrong", "a < b\nnext"))
    assert PALETTE["vermillion"] in wrong and "a &lt; b<br>next" in wrong


def test_a_worked_solution_becomes_paragraphs_and_a_table():
    text = exercises.solution_text("04.shape_table")
    shown = solution_html(text)
    assert shown.count("<table>") == 1 and ">26<" in shown and "<p>" in shown
    assert solution_html("only *this* <b>") == "<p>only <em>this</em> &lt;b&gt;</p>"


def test_each_row_is_marked_right_wrong_or_not_yet():
    solution = exercises.solution("04.shape_table")
    answer = dict(solution, **{"valid/1": (26, 26, 3), "valid/2": (13, ..., 8)})
    marks = table_marks(answer, solution)
    assert "10007" in marks["valid/1"] and "10003" in marks["same/1"] and marks["valid/2"] == ""


def test_a_typed_answer_is_read_then_checked():
    exercise = exercises.get("03.feature_map")
    solution = exercises.solution("03.feature_map")
    assert exercise.check_text("{} × {} × {}".format(*solution)).correct
    assert exercise.check_text("   ").status == "waiting"
    unread = exercise.check_text("60 by 60")
    assert unread.status == "invalid" and unread.message.startswith("Cannot read the answer:")
    huge = exercise.check_text("1" * (exercises.MAX_TEXT + 1))
    assert huge.status == "invalid" and "2,001 characters long" in huge.message


def test_new_numbers_are_the_same_everywhere_and_never_the_current_ones():
    for variant in (0, 1, 7, exercises.MAX_VARIANT):
        new = exercises.next_variant("04.output_size", variant)
        assert new == exercises.next_variant("04.output_size", variant)
        assert new != variant and 1 <= new <= exercises.MAX_VARIANT

"""Exercise widgets, headless: driven through their controls as a student would."""

import ipywidgets as widgets
import pytest

from meia_cnn import exercises
from meia_cnn.widgets import ExerciseWidget, ShapeTableExercise
from meia_cnn.widgets.exercise import SolutionButton

SOLVED = exercises.solution("04.shape_table")


@pytest.fixture
def table():
    t = ShapeTableExercise()
    yield t
    t.close()


def _fill(table, answer):
    for key, values in answer.items():
        for col, value in zip(("width", "height", "depth"), values):
            table.controls[f"{key}/{col}"].value = value


def test_table_dom_contract(table):
    boxes = [k for k in table.controls if k.count("/") == 2]
    assert len(boxes) == 9
    for key in boxes:
        assert isinstance(table.controls[key], widgets.IntText)
    assert isinstance(table.controls["check"], widgets.Button)
    assert table.controls["check"].description == "Check"
    assert isinstance(table.feedback, widgets.HTML)
    assert "meia-feedback" in table.feedback._dom_classes
    assert table.feedback_text == ""
    # the table, the buttons and the feedback are shown
    assert table.table in table.children and table.feedback in table.children


def test_table_correct_through_the_check_button(table):
    _fill(table, SOLVED)
    table.controls["check"].click()
    assert table.feedback_text.startswith("Correct")
    assert table.last.correct
    assert all("10003" in m.value or "✓" in m.value for m in table.marks.values())


def test_table_wrong_depth_gets_the_hint(table):
    wrong = dict(SOLVED, **{"valid/1": (26, 26, 3)})
    _fill(table, wrong)
    table.controls["check"].click()
    text = table.feedback_text
    assert not text.startswith("Correct")
    assert "width and height are right; the depth equals the number of kernels" in text
    assert "10007" in table.marks["valid/1"].value or "✗" in table.marks["valid/1"].value
    assert "10003" in table.marks["same/1"].value or "✓" in table.marks["same/1"].value


def test_table_empty_waits(table):
    table.controls["check"].click()
    assert table.last.status == "waiting"
    assert table.feedback_text == "Waiting for an answer: type your answer in the boxes and press Check."
    assert "run the cell" not in table.feedback_text
    assert all(m.value == "" for m in table.marks.values())


def test_table_answer_keyword_and_reveal():
    t = ShapeTableExercise(answer=SOLVED)
    try:
        assert t.answer() == SOLVED
        assert not t.revealed
        t.controls["reveal"].click()
        assert t.revealed and t.controls["reveal"].disabled
        assert "<table>" in t.solution.value and ">26<" in t.solution.value
    finally:
        t.close()


def test_table_rejects_unknown_rows():
    with pytest.raises(ValueError, match="unknown row 'valid/9'"):
        ShapeTableExercise(answer={"valid/9": (1, 1, 1)})


def test_table_fixed_by_the_student_turns_correct(table):
    _fill(table, dict(SOLVED, **{"valid/2": (14, 14, 8)}))
    assert not table.check().correct
    assert "round down" in table.feedback_text
    table.controls["valid/2/width"].value = 13
    table.controls["valid/2/height"].value = 13
    assert table.check().correct


@pytest.mark.parametrize("exercise_id", list(exercises.EXERCISES))
def test_exercise_widget_accepts_the_solution_typed_as_text(exercise_id):
    sol = exercises.solution(exercise_id)
    text = repr(sol.tolist()) if hasattr(sol, "tolist") else repr(sol)
    w = ExerciseWidget(exercise_id)
    try:
        w.controls["answer"].value = text  # Enter in the box checks
        assert w.feedback_text.startswith("Correct"), (exercise_id, text, w.feedback_text)
        assert "meia-feedback" in w.feedback._dom_classes
    finally:
        w.close()


def test_exercise_widget_hint_unparsable_and_empty():
    w = ExerciseWidget("03.feature_map")
    try:
        w.controls["answer"].value = "(60, 60, 3)"
        assert "the depth G_d equals the number of kernels" in w.feedback_text
        w.controls["answer"].value = "60 by 60"
        assert w.last.status == "invalid" and "Cannot read the answer" in w.feedback_text
        w.controls["answer"].value = ""
        w.controls["check"].click()
        assert w.last.status == "waiting"
        assert w.feedback_text == "Waiting for an answer: type your answer in the box and press Check."
    finally:
        w.close()


def test_exercise_widget_reveal_shows_the_worked_solution():
    w = ExerciseWidget("04.output_size")
    try:
        assert w.solution.layout.display == "none"
        w.controls["reveal"].click()
        assert w.revealed
        assert "= 7" in w.solution.value and "lfloor" in w.solution.value
    finally:
        w.close()


def test_exercise_widget_without_prompt_and_array_box():
    w = ExerciseWidget("05.max_values", prompt=False)
    try:
        assert w.prompt not in w.children
        assert isinstance(w.controls["answer"], widgets.Textarea)
        w.controls["answer"].value = "[[4, 6], [2, 5]]"
        assert w.last.correct
    finally:
        w.close()


def test_exercise_widget_unknown_id():
    with pytest.raises(ValueError, match="exercise_id"):
        ExerciseWidget("99.nothing")


def test_close_closes_the_controls():
    w = ExerciseWidget("04.output_size")
    controls = list(w.controls.values())
    w.close()
    assert all(c.comm is None for c in controls)


def _tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


@pytest.mark.parametrize("make", [lambda: ShapeTableExercise(), lambda: ExerciseWidget("04.output_size")])
def test_close_closes_every_widget_it_built(make):
    # A box left open that points at closed widgets keeps Voila waiting ("Loading widget...").
    ex = make()
    built = list(_tree(ex))
    assert len(built) > 5
    ex.close()
    assert [w for w in built if w.comm is not None] == []


def test_nothing_of_the_solution_is_in_the_widget_state_before_the_press():
    for make in (
        lambda: ShapeTableExercise(),
        lambda: ExerciseWidget("01.dense_params"),
        lambda: SolutionButton("01.dense_params"),
    ):
        w = make()
        try:
            state = repr([child.get_state() for child in _tree(w)])
            sol = exercises.solution(w.exercise.id)
            shown = f"{sol:,}" if isinstance(sol, int) else "(13, 13, 8)"
            assert shown not in state and shown.replace(",", "{,}") not in state and "Correct" not in state
            assert not w.revealed and w.feedback.value == "" if hasattr(w, "feedback") else True
            w.controls["reveal"].click()
            assert w.revealed
            state = repr([child.get_state() for child in _tree(w)])
            assert (f"{sol:,}".replace(",", "{,}") if isinstance(sol, int) else ">13<") in state
        finally:
            w.close()


def test_solution_button_shows_the_variants_solution():
    b = SolutionButton("04.output_size", variant=5)
    try:
        assert b.solution.value == "" and b.solution.layout.display == "none"
        b.controls["reveal"].click()
        assert f"= {exercises.solution('04.output_size', variant=5)}$" in b.solution.value
        assert b.controls["reveal"].disabled
    finally:
        b.close()


def test_new_numbers_changes_the_question_and_the_check_follows():
    w = ExerciseWidget("04.output_size")
    try:
        first = w.prompt.value
        w.controls["answer"].value = "7"
        assert w.last.correct
        w.controls["reveal"].click()
        w.controls["new"].click()
        assert w.variant != 0 and w.prompt.value != first
        assert w.controls["answer"].value == "" and w.feedback.value == "" and not w.revealed
        assert not w.controls["reveal"].disabled
        sol = exercises.solution("04.output_size", variant=w.variant)
        w.controls["answer"].value = str(sol)
        assert w.last.correct
        variant = w.variant
        w.controls["new"].click()
        assert w.variant not in (0, variant)
    finally:
        w.close()


def test_new_numbers_is_reproducible_from_the_starting_variant():
    a, b = ShapeTableExercise(variant=3), ShapeTableExercise(variant=3)
    try:
        a.controls["new"].click()
        b.controls["new"].click()
        assert a.variant == b.variant and a.prompt.value == b.prompt.value
        assert ShapeTableExercise(variant=4).prompt.value != ShapeTableExercise(variant=3).prompt.value
        sol = exercises.solution("04.shape_table", variant=a.variant)
        a.set_answer(sol)
        assert a.check().correct
        assert all(a.marks[k].value for k in sol)
    finally:
        a.close()
        b.close()


def test_a_pasted_huge_answer_is_refused_unread():
    w = ExerciseWidget("03.feature_map")
    try:
        w.controls["answer"].value = repr(list(range(1_000_000)))
        assert w.last.status == "invalid"
        assert "characters long" in w.feedback_text and len(w.feedback_text) < 200
        w.controls["answer"].value = "10**400"
        assert w.last.status == "invalid"
        w.controls["answer"].value = "1" + "0" * 400
        assert w.last.status == "invalid" and "401 digits" in w.feedback_text
    finally:
        w.close()


@pytest.mark.parametrize(
    "exercise_id, typed",
    [
        ("01.dense_params", "{:,}"),  # 3,612,672: what the kit prints
        ("01.dense_params", "{:_}"),  # 3 612 672
        ("03.feature_map", "{0} {1} {2}"),  # 16 16 16
        ("03.feature_map", "{0}×{1}×{2}"),  # 16×16×16
        ("03.feature_map", "{0} x {1} x {2}"),
        ("02.output_map", "rows"),  # an array one row per line
        ("09.correlation", "minus"),  # −2, the minus sign the kit prints
    ],
)
def test_the_answer_box_reads_what_the_kit_prints_and_students_type(exercise_id, typed):
    variant = next(k for k in range(100) if typed != "minus" or exercises.solution(exercise_id, variant=k) < 0)
    solution = exercises.solution(exercise_id, variant=variant)
    if typed == "rows":
        text = "\n".join(" ".join(f"{v:g}" for v in row) for row in solution)
    elif typed == "minus":
        text = f"{solution:g}".replace("-", "\u2212")
        assert "\u2212" in text
    elif isinstance(solution, tuple):
        text = typed.format(*solution)
    else:
        text = typed.format(solution).replace("_", " ")
        assert len(text) > len(str(solution))  # a separator is in it
    w = ExerciseWidget(exercise_id, variant=variant)
    w.controls["answer"].value = text
    assert w.check().correct, (text, w.check().message)
    w.close()


@pytest.mark.parametrize(
    "exercise_id, text, words",
    [
        ("02.one_value", "-2,0", "decimal comma"),
        ("02.one_value", "1,5", "decimal comma"),
        ("02.output_map", "1,5 2\n3 4", "decimal comma"),
        ("03.feature_map", "3,612,672", "could be one number"),
        ("09.correlation", "1,500", "could be 1.500 or 1500"),
    ],
)
def test_a_decimal_comma_or_an_ambiguous_answer_gets_a_sentence_not_a_reading(exercise_id, text, words):
    w = ExerciseWidget(exercise_id)
    w.controls["answer"].value = text
    feedback = w.check()
    assert feedback.status == "invalid" and words in feedback.message, feedback.message
    w.close()


def test_a_prompt_displays_as_markdown():
    question = exercises.prompt("09.macs", variant=3)
    assert isinstance(question, str) and question._repr_markdown_() == str(question)

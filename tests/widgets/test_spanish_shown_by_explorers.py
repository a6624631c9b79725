"""In Spanish, what the explorers and exercise widgets show holds no English prose.

Every explorer and every exercise widget is built with ``set_language("es")``;
each control is driven through a few values and everything a person reads
(control descriptions, option labels, readouts, notices, button labels, the
feedback to a right, a wrong and an unreadable answer) is searched for the
common English words of the Spanish notebooks' test.  Afterwards English is
back, and the English text is exactly the one written in the source.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import meia_cnn
from meia_cnn import exercises as ex
from meia_cnn.widgets import exercise as exw

from ..notebooks.test_spanish_edition import _NOT_PROSE, ENGLISH_WORDS

#: Notation and code names (n_in, G_w, mode='full', answer = ...) are not prose.
_NOTATION = re.compile(r"#[0-9A-Fa-f]{3,8}\b|\b\w*_\w*\b|'[^'\n]*'|\banswer\s*=")


def english_words(text: str) -> list[str]:
    """The common English words left in ``text`` once math, code and notation are removed."""
    prose = _NOTATION.sub(" ", _NOT_PROSE.sub(" ", str(text)))
    return [w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH_WORDS]


def test_the_detector_finds_english_and_passes_spanish():
    assert english_words("Not yet: the depth is right") == ["the", "is"]
    assert english_words("Todavía no: la profundidad está bien; $G_w = (I_w - K_w)/s + 1$, n_in") == []


@pytest.fixture
def spanish():
    meia_cnn.set_language("es")
    yield
    meia_cnn.set_language("en")


def _shown_by_exercise_widget(widget: exw.ExerciseWidget, answers: list[str]) -> list[str]:
    shown = [
        widget.title.value,
        widget.prompt.value,
        widget.controls["answer"].placeholder,
        widget.controls["answer"].description,
        widget.check().message,
    ]
    shown += [c.description for c in widget.controls.values()]
    shown += [c.tooltip or "" for c in widget.controls.values()]
    for answer in answers:
        widget.controls["answer"].value = answer
        shown.append(widget.check().message)
        shown.append(widget.feedback_text)
    widget.reveal()
    shown.append(widget.solution.value)
    widget.new_numbers()
    shown.append(widget.prompt.value)
    return shown


def _typed(value: object) -> str:
    return repr(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else repr(value)


def _answers(exercise: ex.Exercise) -> list[str]:
    """A right, a wrong (each known mistake) and unreadable answers, as typed in the box."""
    p = exercise.params(0)
    typed = [_typed(exercise.solution(0))]
    typed += [_typed(wrong(p)) for wrong, _hint in exercise.mistakes]
    if exercise.kind in ("int", "number"):
        typed.append(_typed(exercise.solution(0) + 1))
    typed += ["(3", "'abc'", "10**400", "1" * 3000, "(1, 2)"]
    return typed


EXERCISE_IDS = [e.id for e in ex.EXERCISES.values() if e.kind != "table"]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_exercise_widget_in_spanish(spanish, exercise_id):
    exercise = ex.get(exercise_id)
    widget = exw.ExerciseWidget(exercise_id)
    try:
        shown = _shown_by_exercise_widget(widget, _answers(exercise))
    finally:
        widget.close()
    assert any(s.startswith("¡Correcto!") for s in shown)
    assert any(s.startswith("Todavía no:") for s in shown)
    assert any(s.startswith("No se puede leer la respuesta") for s in shown)
    found = {s: english_words(s) for s in shown if english_words(s)}
    assert found == {}


def test_shape_table_widget_in_spanish(spanish):
    table = exw.ShapeTableExercise()
    shown = [table.title.value, table.prompt.value, table.check().message]
    shown += [cell.value for cell in table.table.children[0].children]
    shown += [(c.description or "") + " " + (c.tooltip or "") for c in table.controls.values()]
    solution = ex.solution("04.shape_table")
    for answer in (
        solution,
        {**solution, "valid/1": (26, 26, 3)},
        {**solution, "valid/2": (14, 14, 8)},
        {**solution, "same/1": (26, 26, 8)},
    ):
        shown.append(ex.check("04.shape_table", answer).message)
    shown.append(ex.check("04.shape_table", {"zzz": 1}).message)
    shown.append(ex.check("04.shape_table", "abc").message)
    shown.append(ex.check("04.shape_table", {"valid/1": "x"}).message)
    shown.append(ex.check("04.shape_table", ...).message)
    table.reveal()
    shown.append(table.solution.value)
    table.close()
    found = {s: english_words(s) for s in shown if english_words(s)}
    assert found == {}


def test_solution_button_in_spanish(spanish):
    button = exw.SolutionButton("04.output_size")
    shown = [button.controls["reveal"].description, button.controls["reveal"].tooltip]
    button.controls["reveal"].click()
    shown.append(button.solution.value)
    button.close()
    assert english_words(" ".join(shown)) == []


@pytest.mark.parametrize("exercise_id", list(ex.EXERCISES))
@pytest.mark.parametrize("variant", [0, 7])
def test_exercise_texts_in_spanish(spanish, exercise_id, variant):
    exercise = ex.get(exercise_id)
    p = exercise.params(variant)
    shown = [
        meia_cnn.i18n.gettext(exercise.title),
        exercise.prompt(variant),
        exercise.solution_text(variant),
        ex.check(exercise_id, ..., variant=variant).message,
    ]
    if exercise.kind != "table":
        shown.append(ex.check(exercise_id, exercise.solution(variant), variant=variant).message)
        shown += [ex.check(exercise_id, wrong(p), variant=variant).message for wrong, _hint in exercise.mistakes]
        shown.append(ex.check(exercise_id, "abc", variant=variant).message)
        shown.append(ex.check(exercise_id, 10**400, variant=variant).message)
        shown.append(ex.check(exercise_id, list(range(5000)), variant=variant).message)
    found = {s: english_words(s) for s in shown if english_words(s)}
    assert found == {}


# -- English is exactly as written -------------------------------------------------------------
def test_english_after_spanish_is_the_source_text(spanish):
    assert ex.check("05.pool_params", 0).message.startswith("¡Correcto!")
    meia_cnn.set_language("en")
    assert ex.check("05.pool_params", 0).message == (
        "Correct! Pooling is weights free: it only takes a max (or a mean) of each window."
    )
    assert ex.check("03.feature_map", (60, 60, 3)).message == (
        "Not yet: width and height are right; the depth G_d equals the number of kernels, not the input depth."
    )
    assert ex.check("04.shape_table", ...).message == (
        "Waiting for an answer to 04.shape_table: replace ... with your answer and run the cell again."
    )
    assert ex.check("03.feature_map", (1, 2)).message == (
        "Cannot read the answer: give 3 numbers (width, height, depth), got 2: (1, 2)."
    )
    widget = exw.ExerciseWidget("04.output_size")
    assert [c.description for c in widget.controls.values()] == ["Check", "New numbers", "Show solution", "Answer:"]
    assert widget.check().message == "Waiting for an answer: type your answer in the box and press Check."
    assert widget.controls["answer"].placeholder == "a whole number"
    widget.close()


# -- explorers ---------------------------------------------------------------------------------
from meia_cnn import widgets as _widgets  # noqa: E402
from meia_cnn.widgets._explorer import plain_text  # noqa: E402

from ..driving import plan  # noqa: E402

EXPLORERS = sorted(_widgets._EXPLORERS)


def _strings(value: object) -> list[str]:
    """Every string in a scene (nested dicts and lists), keys excluded."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _shown_by_explorer(explorer: object) -> list[str]:
    """What a person reads now: control labels and tooltips, option labels, the drawing's text, the readout."""
    shown = []
    for control in explorer.controls.values():
        for name in ("description", "tooltip", "placeholder"):
            shown.append(str(getattr(control, name, "") or ""))
        shown += [str(t) for t in getattr(control, "tooltips", ()) or ()]
        shown += [str(label) for label in getattr(control, "_options_labels", ()) or ()]
    view = explorer.view
    shown += _strings(view.scene)
    shown += [str(view.notice), explorer.readout_text, explorer.error, plain_text(explorer.message.value)]
    return [s for s in shown if s]


def _drive(explorer: object) -> list[str]:
    shown = _shown_by_explorer(explorer)
    driven, _skipped = plan(explorer, 3)
    for name, values in driven:
        control = explorer.controls[name]
        start = control.value
        for value in values:
            control.value = value
            shown += _shown_by_explorer(explorer)
        control.value = start
    return shown


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_in_spanish(spanish, name):
    explorer = getattr(_widgets, name)()
    try:
        shown = _drive(explorer)
    finally:
        explorer.close()
    found = {s[:120]: english_words(s) for s in shown if english_words(s)}
    assert found == {}


def test_explorer_built_in_english_after_spanish_reads_as_before():
    explorer = _widgets.ConvolutionExplorer()
    try:
        assert explorer.controls["preset"].description == "Kernel"
        assert explorer.controls["step"].options[0][0] == "1 of " + str(len(explorer.controls["step"].options))
        assert (
            explorer.view.scene["title"].startswith("Convolution step by step")
            if "title" in explorer.view.scene
            else True
        )
        assert "Output size" in explorer.readout_text
    finally:
        explorer.close()


# -- explorer fragments: names, recipe words and counted nouns through the catalogue ---------
def _text_of(explorer: object, **values: object) -> str:
    """Everything ``explorer`` shows once its controls hold ``values``, as one text; the explorer is closed."""
    try:
        for name, value in values.items():
            explorer.controls[name].value = value
        return "\n".join(_shown_by_explorer(explorer))
    finally:
        explorer.close()


def test_inception_branch_names_in_spanish(spanish):
    shown = _text_of(_widgets.InceptionExplorer())
    assert "agrupamiento → 1×1" in shown and "1×1 → 3×3" in shown
    assert "pool" not in shown


def test_training_recipe_in_spanish(spanish):
    shown = _text_of(_widgets.TrainingExplorer())
    assert re.search(
        r"\(lote de \d+, tasa de aprendizaje [\d.]+, calendario de la tasa coseno, "
        r"calentamiento [\d.]+\)",
        shown,
    ), shown
    assert not re.search(r"batch|learning|schedule|cosine|warm", shown)


def test_training_recipe_in_english_names_its_schedule():
    from meia_cnn.explain.training import recipe_text, training_plan

    text = recipe_text(training_plan(8, 3, 15, seed=0))
    assert re.fullmatch(r"batch \d+, learning rate [\d.]+, schedule cosine, warm-up [\d.]+", text), text


def test_volume_photo_named_by_its_translated_label(spanish):
    shown = _text_of(_widgets.VolumeExplorer())
    assert "la foto (astronauta)" in shown and "astronaut)" not in shown
    assert "la foto (tu imagen)" in _text_of(_widgets.VolumeExplorer(np.random.default_rng(0).random((40, 40, 3))))


def test_sharing_bars_named_in_spanish(spanish):
    explorer = _widgets.ParameterSharingExplorer()
    try:
        assert [item["name"] for item in explorer.view.scene["bars"]["items"]] == ["convolución", "densa"]
    finally:
        explorer.close()


@pytest.mark.parametrize(
    ("stride", "between", "inserted"),
    [
        (1, "0 ceros entre", "0 ceros insertados"),
        (2, "1 cero entre", "1 cero insertado entre"),
        (3, "2 ceros entre", "2 ceros insertados"),
    ],
)
def test_transposed_zeros_counted_in_spanish(spanish, stride, between, inserted):
    shown = _text_of(_widgets.TransposedConvExplorer(), stride=stride)
    assert between in shown and inserted in shown


@pytest.mark.parametrize(
    ("stride", "between", "inserted"),
    [(2, "1 zero between", "1 zero inserted"), (3, "2 zeros between", "2 zeros inserted")],
)
def test_transposed_zeros_counted_in_english(stride, between, inserted):
    shown = _text_of(_widgets.TransposedConvExplorer(), stride=stride)
    assert between in shown and inserted in shown
    assert "1 zeros" not in shown

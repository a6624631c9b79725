"""Structure of the lecture notebooks (their cells run under nbval: `pytest notebooks/`).

Checked here without a kernel: valid nbformat; slide metadata on every cell;
no outputs except the ``# NBVAL_CHECK_OUTPUT`` cells, which keep theirs with
an execution count; no function or class definitions; learning goals first
and exercises last; every exercise of :mod:`meia_cnn.exercises` present with
its answer cell and its hidden solution; an index that links every notebook.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from meia_cnn import exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "00_index",
    "01_position_invariance",
    "02_convolution",
    "03_volumes_and_feature_maps",
    "04_stride_and_padding",
    "05_pooling",
    "06_one_by_one_and_inception",
    "07_cnn_classification",
    "08_architectures",
    "09_in_class_exercises",
]
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}
CHECKED = "# NBVAL_CHECK_OUTPUT"


def _read(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


@pytest.fixture(scope="module", params=NAMES)
def notebook(request):
    return request.param, _read(request.param)


def _headings(nb, level):
    prefix = "#" * level + " "
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith(prefix):
                    out.append((i, line[len(prefix):].strip()))
    return out


def test_the_ten_notebooks_and_nothing_else():
    found = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert found == NAMES


def test_valid_nbformat_with_a_python_kernel(notebook):
    name, nb = notebook
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_every_cell_has_slide_metadata(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"{name} cell {i}: slide_type {slide_type!r}"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


def test_speaker_notes_for_the_instructor(notebook):
    name, nb = notebook
    notes = [c for c in nb.cells if c.metadata["slideshow"]["slide_type"] == "notes"
             and c.cell_type == "markdown" and not c.metadata.get("jupyter", {}).get("source_hidden")]
    assert notes, f"{name} has no speaker notes"


def test_outputs_only_in_checked_cells(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if CHECKED in cell.source:
            assert cell.outputs, f"{name} cell {i} is checked by nbval but has no stored output"
            assert cell.execution_count is not None, f"{name} cell {i}: nbval skips a null execution_count"
            for out in cell.outputs:
                assert out.output_type in ("stream", "execute_result"), f"{name} cell {i}: {out.output_type}"
                if out.output_type == "execute_result":
                    assert set(out.data) == {"text/plain"}
                text = out.get("text") or out.data["text/plain"]
                assert not re.search(r"0x[0-9a-f]{6,}|<Figure size", text), f"{name} cell {i}: unstable output"
        else:
            assert cell.outputs == [], f"{name} cell {i} stores outputs"
            assert cell.execution_count is None, f"{name} cell {i} stores an execution count"


def test_no_definitions_in_code_cells(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{name} cell {i} defines {type(node).__name__}: put helpers in meia_cnn"
            )


def test_notebooks_import_and_call_meia_cnn(notebook):
    name, nb = notebook
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert re.search(r"^(import meia_cnn|from meia_cnn)", sources, re.M)
    assert "from meia_cnn.exercises import check" in sources


def test_starts_with_learning_goals(notebook):
    name, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "**Learning goals.**" in first.source
    assert len(re.findall(r"^- ", first.source, re.M)) >= 3


def test_ends_with_exercises(notebook):
    name, nb = notebook
    sections = _headings(nb, 2)
    assert sections, name
    last_index, last_title = sections[-1]
    if name != "09_in_class_exercises":
        assert last_title == "Exercises", f"{name}: last section is {last_title!r}"
    after = nb.cells[last_index:]
    checks = [c for c in after if c.cell_type == "code" and "check(" in c.source]
    assert 2 <= len(checks) <= 4 or name == "09_in_class_exercises"
    # after the exercises only: exercise prompts, answers, hidden solutions, a last callback check
    for cell in after[1:]:
        kind = cell.metadata["slideshow"]["slide_type"]
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert (cell.source.startswith("### ") or "check(" in cell.source or hidden or kind == "skip"
                or "Widget(" in cell.source), f"{name}: {cell.source[:60]!r} after the exercises"
    last = nb.cells[-1]
    if last.cell_type == "code" and "check(" not in last.source:
        assert last.metadata["slideshow"]["slide_type"] == "skip"
        assert "assert" in last.source


@pytest.mark.parametrize("exercise_id", list(exercises.EXERCISES))
def test_every_exercise_is_in_its_notebook_with_a_hidden_solution(exercise_id):
    ex = exercises.get(exercise_id)
    name = next(n for n in NAMES if n.startswith(ex.notebook))
    nb = _read(name)
    cells = nb.cells
    prompt = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and ex.prompt in c.source]
    assert prompt, f"{exercise_id}: prompt missing (or out of date) in {name}"
    answer = [i for i, c in enumerate(cells)
              if c.cell_type == "code" and f'check("{exercise_id}", answer)' in c.source]
    assert len(answer) == 1, f"{exercise_id}: one answer cell expected in {name}"
    src = cells[answer[0]].source
    assert src.startswith(ex.template.split("#")[0].strip()) and "..." in src
    solution = [c for c in cells if c.cell_type == "markdown" and f"**Solution {exercise_id}.**" in c.source]
    assert len(solution) == 1, f"{exercise_id}: one solution cell expected"
    cell = solution[0]
    assert cell.metadata["jupyter"]["source_hidden"] is True
    assert ex.solution_text() in cell.source, f"{exercise_id}: the solution cell is out of date"
    assert prompt[0] < answer[0] < cells.index(cell)


def test_the_slides_table_is_a_widget_and_checked_by_nbval():
    nb = _read("04_stride_and_padding")
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("ShapeTableExercise()" in s for s in sources)
    table = [c for c in nb.cells if c.cell_type == "code" and CHECKED in c.source
             and 'solution("04.shape_table")' in c.source]
    assert len(table) == 1
    cell = table[0]
    assert cell.metadata["jupyter"]["source_hidden"] and cell.metadata["jupyter"]["outputs_hidden"]
    assert cell.outputs[0].data["text/plain"] == repr(exercises.solution("04.shape_table"))


def test_explorers_sit_on_their_own_slides(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and re.search(r"^\w+ = \w+Explorer\(", cell.source, re.M):
            assert cell.metadata["slideshow"]["slide_type"] == "slide", f"{name} cell {i}"


@pytest.mark.parametrize("name,equations", [
    ("02_convolution", ["(1)"]),
    ("03_volumes_and_feature_maps", ["(2)"]),
    ("04_stride_and_padding", ["(3)"]),
    ("05_pooling", ["(4)"]),
])
def test_the_lectures_equations_in_latex(name, equations):
    text = "\n".join(c.source for c in _read(name).cells if c.cell_type == "markdown")
    for number in equations:
        assert re.search(r"\$\$[^$]+\\qquad " + re.escape(number) + r"\s*\$\$", text), (name, number)


def test_index_links_every_notebook_and_the_references():
    nb = _read("00_index")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name in NAMES[1:]:
        assert f"]({name}.ipynb)" in text, name
    for ref in ("Dumoulin", "Visin", "Skansi", "LeCun", "Krizhevsky", "Szegedy", "Simonyan"):
        assert ref in text
    for topic in ("Work through", "Slides", "Exercises"):
        assert f"**{topic}.**" in text


def test_every_notebook_links_back_to_the_index(notebook):
    name, nb = notebook
    if name != "00_index":
        assert "](00_index.ipynb)" in nb.cells[0].source


def test_architectures_notebook_covers_the_four_presentations():
    text = "\n".join(c.source for c in _read("08_architectures").cells)
    for net in ("LeNet-5", "AlexNet", "GoogLeNet", "VGG", "20-minute"):
        assert net in text

"""Structure of the lecture notebooks (their cells run under nbval: `pytest notebooks/`).

Checked here without a kernel: valid nbformat; slide metadata and a core or
optional tag on every cell; no outputs except the cells tagged
``nbval-check-output``, which keep theirs with an execution count; no test
code, no definitions, nothing collapsed; instructor notes only in metadata;
learning goals first and exercises last; every exercise of
:mod:`meia_cnn.exercises` present with its answer cell and a *Show solution*
button; the 90-minute core path and its timing plan; the corrected facts,
each with its source named.
"""

import ast
import itertools
import re
from pathlib import Path

import nbformat
import pytest

from meia_cnn import exercises

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "00_index",
    "01_position_invariance",
    "02_convolution",
    "03_volumes_and_feature_maps",
    "04_stride_and_padding",
    "04b_transposed_convolution",
    "05_pooling",
    "06_one_by_one_and_inception",
    "07_cnn_classification",
    "08_architectures",
    "09_in_class_exercises",
]
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}
CHECKED = "nbval-check-output"


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


def _notes(cell):
    return cell.metadata.get("meia", {}).get("instructor_notes", [])


def test_instructor_notes_are_kept_out_of_the_students_view(notebook):
    # JupyterLab and Voila show every markdown cell, speaker-notes cells included: the
    # instructor's notes live in cell metadata, rendered only in the instructor's deck.
    name, nb = notebook
    notes = [n for c in nb.cells for n in _notes(c)]
    assert notes and all(isinstance(n, str) and n.strip() for n in notes), name
    for i, cell in enumerate(nb.cells):
        assert cell.metadata["slideshow"]["slide_type"] != "notes", f"{name} cell {i} is a notes cell"


def test_nothing_is_collapsed_or_hidden_in_a_cell(notebook):
    # Run All expands collapsed cells: a solution must never sit in one.
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        jupyter = cell.metadata.get("jupyter", {})
        assert not jupyter.get("source_hidden") and not jupyter.get("outputs_hidden"), f"{name} cell {i}"
        assert "**Solution" not in cell.source, f"{name} cell {i} holds a written-out solution"


def test_no_test_code_in_a_students_view(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        assert "NBVAL" not in cell.source, f"{name} cell {i}: use the cell tag nbval-check-output"
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not any(isinstance(node, ast.Assert) for node in ast.walk(tree)), f"{name} cell {i}"
            assert ".click()" not in cell.source, f"{name} cell {i} presses a button for the student"


def test_outputs_only_in_checked_cells(notebook):
    name, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if CHECKED in cell.metadata.get("tags", []):
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
    # the goals are on the title slide or on a sub-slide of it (the index's title slide would pass 90 words)
    opening = [first] + list(itertools.takewhile(
        lambda c: c.metadata.get("slideshow", {}).get("slide_type") == "subslide", nb.cells[1:]))
    goals = [c.source for c in opening if c.cell_type == "markdown" and "**Learning goals.**" in c.source]
    assert goals, f"{name}: no learning goals on the opening slide"
    assert len(re.findall(r"^- ", goals[0], re.M)) >= 3


def test_ends_with_exercises(notebook):
    name, nb = notebook
    sections = _headings(nb, 2)
    assert sections, name
    last_index, last_title = sections[-1]
    if name != "09_in_class_exercises":
        assert last_title == "Exercises", f"{name}: last section is {last_title!r}"
        after = nb.cells[last_index:]
        checks = [c for c in after if c.cell_type == "code" and "check(" in c.source]
        assert 2 <= len(checks) <= 4
        # after the exercises only: exercise prompts, answers and Show-solution buttons
        for cell in after[1:]:
            assert (cell.source.startswith("### Exercise ") or "check(" in cell.source
                    or cell.source.startswith("SolutionButton(")), f"{name}: {cell.source[:60]!r} after the exercises"


@pytest.mark.parametrize("exercise_id", list(exercises.EXERCISES))
def test_every_exercise_is_asked_with_a_button_for_its_solution(exercise_id):
    ex = exercises.get(exercise_id)
    name = next(n for n in NAMES if n.startswith(ex.notebook))
    cells = _read(name).cells
    if ex.notebook == "09":
        widget = [i for i, c in enumerate(cells) if f'ExerciseWidget("{exercise_id}", variant=seat)' in c.source]
        assert len(widget) == 1, f"{exercise_id}: one answer box expected in {name}"
        return
    prompt = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source == exercises.statement(exercise_id)]
    assert len(prompt) == 1, f"{exercise_id}: statement missing (or not the package's) in {name}: " \
                             "run `python -m tools.translate_notebooks update`"
    answer = [i for i, c in enumerate(cells)
              if c.cell_type == "code" and f'check("{exercise_id}", answer)' in c.source]
    assert len(answer) == 1, f"{exercise_id}: one answer cell expected in {name}"
    src = cells[answer[0]].source
    assert src.startswith(ex.template.split("#")[0].strip()) and "..." in src
    button = [i for i, c in enumerate(cells) if c.source == f'SolutionButton("{exercise_id}")']
    assert len(button) == 1, f"{exercise_id}: one Show-solution button expected"
    assert prompt[0] < answer[0] < button[0]
    assert ex.solution_text() not in "\n".join(c.source for c in cells)


def test_the_slides_table_is_a_widget_on_the_core_path():
    nb = _read("04_stride_and_padding")
    table = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("table = ShapeTableExercise()")]
    assert len(table) == 1 and "core" in table[0].metadata["tags"]


# -- the 90-minute path ------------------------------------------------------------------
def _slides(nb):
    """(first cell, tag) of every slide and subslide."""
    return [(c, c.metadata["tags"]) for c in nb.cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide")]


def test_every_cell_is_core_or_optional_like_its_slide(notebook):
    name, nb = notebook
    current = None
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        marks = [t for t in tags if t in ("core", "optional")]
        assert len(marks) == 1, f"{name} cell {i}: tags {tags}"
        if cell.metadata["slideshow"]["slide_type"] in ("slide", "subslide"):
            current = marks[0]
        assert marks[0] == current, f"{name} cell {i} is {marks[0]} on a {current} slide"


def test_the_core_path_is_about_60_slides_with_the_explorers_and_the_table():
    # every core explorer comes with its "Explore: ..." slide and every core cell with what it needs
    counts = {name: sum("core" in tags for _, tags in _slides(_read(name))) for name in NAMES}
    total = sum(counts.values())
    assert 50 <= total <= 66, counts
    assert counts["08_architectures"] == 0 and counts["09_in_class_exercises"] == 0   # a second session
    assert counts["04b_transposed_convolution"] == 0   # beyond the lecture: reading after class
    for name in [n for n in NAMES[1:9] if not n.startswith("04b")]:
        for cell in _read(name).cells:
            if cell.cell_type == "code" and re.search(r"^\w+ = \w+Explorer\(", cell.source, re.M):
                assert "core" in cell.metadata["tags"], (name, cell.source[:40])


def test_the_index_gives_a_timing_plan_of_90_minutes():
    text = "\n".join(c.source for c in _read("00_index").cells if c.cell_type == "markdown")
    plan = text[text.index("## A 90-minute lecture"):]
    rows = re.findall(r"^\| [^|]+ \| (\d\d) \| (\d+) \|$", plan, re.M)
    assert [r[0] for r in rows] == [f"{i:02d}" for i in range(8)]
    assert sum(int(r[1]) for r in rows) == 90
    assert "**90**" in plan and "second session" in plan


# -- facts, each with its source -------------------------------------------------------
@pytest.mark.parametrize("name,needles", [
    ("03_volumes_and_feature_maps", ["(K_w K_h K_d + 1)", "H' W' F", "nn.Conv2d", "(F, C, K_h, K_w)",
                                     "(K_h, K_w, C, F)"]),
    ("00_index", ["nn.Conv2d", "(F, C, K_h, K_w)", "Keras"]),
    ("04_stride_and_padding", ["Dumoulin and Visin", "**each side**", "i + 2p - k"]),
    ("05_pooling", ["strided", "mc.conv_macs((28, 28, 3), 8, 3, stride=2)", "empirical"]),
    ("08_architectures", ["LeCun et al. (1989)", "map 15 reads all six", "K = 1024", "37.8 million",
                          "20 times fewer", "54.25", "227", "6.67 %", "15.3 %", "7.3 %", "0.95 %",
                          "printed_k = {"]),
    ("07_cnn_classification", ["Keras-style classes (`Conv2D`", "stay English"]),
])
def test_corrected_facts_are_in_the_notebooks(name, needles):
    text = "\n".join(c.source for c in _read(name).cells)
    for needle in needles:
        assert needle in text, (name, needle)


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


# ---------------------------------------------------------------------------
# the core deck stands alone
# ---------------------------------------------------------------------------
CORE_WORDS = 90


def _core_cells(name):
    from tools import slides

    return slides.edition(_read(name), "core").cells


def _slide_groups(cells):
    """The cells of each slide: a slide or sub-slide cell and the fragments after it (skipped cells left out)."""
    groups = []
    for cell in cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        groups[-1].append(cell)
    return groups


def _words(text):
    """Words a reader reads: a formula counts as one, markdown's marks and a table's rules as none."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " formula ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)          # a link's address
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text))


def _slide_words(group):
    return sum(_words(c.source) for c in group if c.cell_type == "markdown")


@pytest.mark.parametrize("name", NAMES)
def test_no_core_slide_is_over_ninety_words(name):
    groups = _slide_groups(_core_cells(name))
    if name == "00_index":  # its title slide (what the kit is, the learning goals) is checked on its own below
        groups = groups[1:]
    long = [(g[0].source.split("\n")[0][:50], _slide_words(g)) for g in groups if _slide_words(g) > CORE_WORDS]
    assert not long, f"{name}: core slides over {CORE_WORDS} words: {long}"


def _shows_widget(cell):
    last = cell.source.strip().split("\n")[-1].strip() if cell.source.strip() else ""
    return cell.cell_type == "code" and ("Explorer(" in cell.source or "Exercise(" in cell.source) and \
        re.fullmatch(r"[A-Za-z_]\w*|[A-Z]\w*\(.*\)", last) is not None


@pytest.mark.parametrize("name", NAMES)
def test_every_core_explorer_has_its_explore_heading_in_the_core_deck(name):
    cells = _read(name).cells
    for index, cell in enumerate(cells):
        if _shows_widget(cell) and "core" in cell.metadata.get("tags", []):
            heading = next((c for c in reversed(cells[:index]) if c.cell_type == "markdown"), None)
            if heading is not None and re.match(r"#+\s*Explore", heading.source):
                assert "core" in heading.metadata.get("tags", []), \
                    f"{name}: cell {index}'s heading is not core: {heading.source[:60]}"


def test_the_lectures_position_invariance_slide_is_core():
    cells = _read("01_position_invariance").cells
    slide = [c for c in cells if c.source.startswith("## Position invariance of features")]
    assert len(slide) == 1 and "core" in slide[0].metadata.get("tags", [])


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_core_cells_run_alone_in_a_fresh_kernel(name):
    """The core deck is a lecture by itself: no core cell needs what only an optional cell defines."""
    from nbclient import NotebookClient
    from nbformat import v4

    from tools import slides

    core = [c for c in _core_cells(name) if c.cell_type == "code"]
    if not core:
        pytest.skip(f"{name} has no core code cell")
    nb = v4.new_notebook(cells=core)
    with slides.kernel_manager() as km:
        client = NotebookClient(nb, timeout=300, kernel_name="python3", km=km, allow_errors=True,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        with client.setup_kernel(cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    errors = [(c.source[:60], o.ename, o.evalue) for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: core cells fail alone: {errors}"


def test_the_index_title_slide_is_under_ninety_words():
    assert _slide_words(_slide_groups(_core_cells("00_index"))[0]) <= CORE_WORDS

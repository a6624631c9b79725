"""The Spanish notebooks (notebooks/es/), built from the English ones and notebooks.po.

nbval runs them with the English ones (`pytest notebooks`); here, without a
kernel: they are up to date with the English notebooks and the catalogue,
every paragraph is translated and reviewed (0 untranslated, 0 fuzzy), the
code is the English code plus the language switch with its comments and
shown text translated (the stored outputs from a run in Spanish), and the
translation tool
behaves on small hand-made notebooks.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

from tools import translate_notebooks as tn

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SPANISH = NOTEBOOKS / "es"
PO = NOTEBOOKS / "locale" / "es" / "LC_MESSAGES" / "notebooks.po"


@pytest.fixture(scope="module")
def state():
    return tn.status(ROOT, "es")


def _pairs():
    """(English path, Spanish path) per notebook, in lecture order."""
    catalogue = tn.load_catalogue(ROOT, "es")
    names = tn._file_names(ROOT, catalogue)
    return [(NOTEBOOKS / f"{en}.ipynb", SPANISH / f"{es}.ipynb") for en, es in names.items()]


PAIRS = _pairs()
IDS = [en.stem for en, _ in PAIRS]


# -- up to date, complete -----------------------------------------------------------------
def test_no_untranslated_message(state):
    assert state.untranslated == [], (
        f"{len(state.untranslated)} paragraphs untranslated: run `make notebooks-es` and "
        "translate them in notebooks/locale/es/LC_MESSAGES/notebooks.po\n" + "\n".join(state.untranslated[:20]))


def test_no_fuzzy_message(state):
    assert state.fuzzy == [], "review the fuzzy translations:\n" + "\n".join(state.fuzzy[:20])


def test_spanish_notebooks_are_up_to_date(state):
    assert state.out_of_date == [], "run `make notebooks-es`: " + ", ".join(state.out_of_date)
    assert state.extra == [], "not built from an English notebook: " + ", ".join(state.extra)


def test_check_command_agrees(state, capsys):
    assert tn.main(["check", "--root", str(ROOT)]) == (0 if state.ok else 1)


def test_one_spanish_notebook_per_english_one_with_its_number():
    english = [p for p in NOTEBOOKS.glob("*.ipynb") if re.match(r"\d\d[a-z]?_", p.name)]
    assert len(PAIRS) == len(english) >= 1
    for en, es in PAIRS:
        assert es.exists(), es
        assert es.name.split("_")[0] == en.name.split("_")[0]
        assert re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+\.ipynb", es.name)
    assert (SPANISH / "00_indice.ipynb").exists()


# -- the built notebooks ------------------------------------------------------------------
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_same_cells_same_code_plus_the_language_switch(pair):
    en_path, es_path = pair
    en = nbformat.read(en_path, as_version=4)
    es = nbformat.read(es_path, as_version=4)
    nbformat.validate(es)
    switch = [i for i, c in enumerate(es.cells) if c.id == "set-language-es"]
    assert len(switch) == 1
    cell = es.cells[switch[0]]
    assert cell.cell_type == "code" and 'meia_cnn.set_language("es")' in cell.source
    assert cell.metadata["slideshow"]["slide_type"] == "skip"
    first_code = next(i for i, c in enumerate(es.cells) if c.cell_type == "code")
    assert switch[0] == first_code  # before any other code runs
    rest = [c for c in es.cells if c.id != "set-language-es"]
    assert [c.id for c in rest] == [c.id for c in en.cells]
    for a, b in zip(en.cells, rest):
        assert a.cell_type == b.cell_type
        assert _without_notes(a.metadata) == _without_notes(b.metadata), f"{es_path.name} cell {a.id}: metadata differ"
        notes = a.metadata.get("meia", {}).get("instructor_notes", [])
        assert len(b.metadata.get("meia", {}).get("instructor_notes", [])) == len(notes)
        if a.cell_type == "code":
            assert _code_shape(a.source) == _code_shape(b.source), (
                f"{es_path.name} cell {a.id}: code differs beyond comments and text")
            assert [o.output_type for o in a.outputs] == [o.output_type for o in b.outputs]
            assert a.execution_count == b.execution_count
    assert es.metadata == en.metadata


class _WithoutText(ast.NodeTransformer):
    """Every string constant emptied; an f-string keeps its replacement fields alone."""

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        fields = [self.visit(v) for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.JoinedStr(values=fields)


def _code_shape(source):
    """The code with its comments and the text of its string literals taken out."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    return ast.dump(_WithoutText().visit(tree))


def _literals(source):
    """Every string literal's text (f-strings' fixed text) of a piece of code, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_only_comments_and_shown_text_are_translated_in_code(pair):
    """The same code: what differs is a comment or a literal the tool offers for translation,
    and every literal it leaves alone (a name looked up, an exercise id) is the same."""
    en_path, es_path = pair
    en = nbformat.read(en_path, as_version=4)
    by_id = {c.id: c for c in nbformat.read(es_path, as_version=4).cells}
    for cell in en.cells:
        if cell.cell_type != "code":
            continue
        spanish = by_id[cell.id].source
        offered = {text for _, _, text, kind in tn.code_messages(cell.source) if kind == "string literal"}
        kept = [t for t in tokenize_strings(cell.source) if t not in offered]
        assert all(t in spanish for t in kept), f"{es_path.name} cell {cell.id}: a literal changed"
        assert _code_shape(cell.source) == _code_shape(spanish)


def tokenize_strings(source):
    """The string literals of a code cell as written."""
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError):
        return []


def test_code_messages_of_a_cell():
    source = ('answer = ...   # a whole number\nprint(f"{n:,} parameters", "done")\n'
              'check("02.flip", answer)\nx = mc.pad(a, "same", kernel="sobel_x")\n'
              'table = {"valid/1": (1, 2)}\nfor label, v in (("dense", 1), ("with pooling", 2)):\n'
              '    print(arch.summary("lenet5")[label])\nname = "vgg16"')
    found = [(text, kind) for _, _, text, kind in tn.code_messages(source)]
    assert found == [("# a whole number", "comment"), ('f"{n:,} parameters"', "string literal"),
                     ('"done"', "string literal"), ('"dense"', "string literal"),
                     ('"with pooling"', "string literal")]
    for start, end, text, _ in tn.code_messages(source):
        assert source[start:end] == text


def test_translated_code_keeps_the_code(tmp_path):
    catalogue = Catalog(locale="es")
    source = 'n = 3  # three\nprint(f"{n} kernels", "done")'
    catalogue.add('# three', '# tres', context="x/c/code")
    catalogue.add('f"{n} kernels"', 'f"{n} núcleos"', context="x/c/code")
    out, missing = tn.translate_code(source, catalogue, "x/c/code")
    assert out == 'n = 3  # tres\nprint(f"{n} núcleos", "done")'
    assert missing == ["x/c/code: '\"done\"'"]
    assert _code_shape(out) == _code_shape(source)
    assert _code_shape('print(f"{m} núcleos")') != _code_shape('print(f"{n} kernels")')


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_stored_outputs_are_spanish(pair):
    """The outputs stored in the Spanish notebook come from a run in Spanish: no printed line
    of a cell whose printed text is translated is the English one."""
    en_path, es_path = pair
    en = {c.id: c for c in nbformat.read(en_path, as_version=4).cells}
    for cell in nbformat.read(es_path, as_version=4).cells:
        source = en.get(cell.id)
        if cell.cell_type != "code" or source is None or not cell.outputs or source.source == cell.source:
            continue
        if not any(kind == "string literal" for *_, kind in tn.code_messages(source.source)):
            continue
        assert cell.outputs != source.outputs, (
            f"{es_path.name} cell {cell.id}: English outputs (run "
            "`python -m tools.translate_notebooks outputs`)")


def _without_notes(metadata):
    """Cell metadata less the instructor notes (translated)."""
    copy = json.loads(json.dumps(metadata))
    copy.get("meia", {}).pop("instructor_notes", None)
    if copy.get("meia") == {}:
        del copy["meia"]
    return copy


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_links_point_to_the_spanish_notebooks(pair):
    _, es_path = pair
    es = nbformat.read(es_path, as_version=4)
    spanish_names = {p.name for p in SPANISH.glob("*.ipynb")}
    english_names = {f"../{en.name}" for en, _ in PAIRS}  # a link back to the English edition
    for cell in es.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", cell.source):
            assert target in spanish_names | english_names, f"{es_path.name} links to {target}"


def test_the_two_indexes_link_to_each_other():
    english = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / "00_index.ipynb", as_version=4).cells)
    spanish = "\n".join(c.source for c in nbformat.read(SPANISH / "00_indice.ipynb", as_version=4).cells)
    assert "](es/00_indice.ipynb)" in english
    assert "](../00_index.ipynb)" in spanish
    assert (SPANISH / "../00_index.ipynb").resolve().exists()


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_equations_and_notation_unchanged(pair):
    """Every LaTeX expression of the English markdown is in the Spanish markdown (the words of
    its ``\\text{}`` translated)."""
    en_path, es_path = pair
    en = nbformat.read(en_path, as_version=4)
    es = nbformat.read(es_path, as_version=4)
    by_id = {c.id: c for c in es.cells}
    for cell in en.cells:
        if cell.cell_type != "markdown":
            continue
        math = re.findall(r"\$\$.+?\$\$|\$[^$\n]+\$", cell.source, re.S)
        translated = _TEXT_IN_MATH.sub(r"\\text{}", by_id[cell.id].source)
        for expression in math:
            assert _TEXT_IN_MATH.sub(r"\\text{}", expression) in translated, (
                f"{es_path.name} cell {cell.id}: {expression!r} changed")


# -- one source per exercise statement ----------------------------------------------------------
def _statement_texts(exercise_id, language):
    """The title and question of an exercise in ``language``, as the package gives them."""
    from meia_cnn.exercises import get
    from meia_cnn.i18n import gettext, using_language

    with using_language(language):
        exercise = get(exercise_id)
        return gettext(exercise.title), exercise.prompt()


def _exercise_ids():
    from meia_cnn.exercises import EXERCISES

    return list(EXERCISES)


@pytest.mark.parametrize("exercise_id", _exercise_ids())
def test_an_exercise_statement_lives_in_the_package_catalogue_alone(exercise_id):
    # the statement is translated once, in meia_cnn.po; notebooks.po never holds it again
    (en_title, en_question), (es_title, es_question) = (_statement_texts(exercise_id, language)
                                                        for language in ("en", "es"))
    assert es_question != en_question and es_title != en_title, f"{exercise_id}: not translated in meia_cnn.po"
    catalogue = tn.load_catalogue(ROOT, "es")
    for message in catalogue:
        for text in (message.id, message.string):
            if isinstance(text, str) and text:
                assert en_question not in text and es_question not in text, (
                    f"{exercise_id}: its question is also in notebooks.po ({message.context})")
                headings = [line.lower() for line in text.splitlines() if line.startswith("#")]
                assert not any(title.lower() in line for line in headings for title in (en_title, es_title)), (
                    f"{exercise_id}: its title is also a heading in notebooks.po ({message.context})")


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_exercise_cells_are_the_packages_statements_in_both_languages(pair):
    from meia_cnn.exercises import statement
    from meia_cnn.i18n import using_language

    for path, language in zip(pair, ("en", "es")):
        for cell in nbformat.read(path, as_version=4).cells:
            exercise_id = tn.statement_id(cell)
            if exercise_id is not None:
                with using_language(language):
                    assert cell.source == statement(exercise_id), f"{path.name}: {exercise_id}"
    spanish = "\n".join(c.source for c in nbformat.read(pair[1], as_version=4).cells)
    assert "### Exercise " not in spanish


def test_update_writes_the_packages_statement_into_an_english_exercise_cell(tmp_path):
    from meia_cnn.exercises import statement

    (tmp_path / "notebooks").mkdir()
    stale = "### Exercise 05.pool_params: Weights of a pooling layer\n\nAn older wording of the question."
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(stale, id="ask")])
    nbformat.write(nb, tmp_path / "notebooks" / "05_pooling.ipynb")
    assert any("05.pool_params" in line for line in tn.check(tmp_path, "es"))
    catalogue = tn.update(tmp_path, "es")
    cell = nbformat.read(tmp_path / "notebooks" / "05_pooling.ipynb", as_version=4).cells[0]
    assert cell.source == statement("05.pool_params")
    assert [m.context for m in catalogue if m.id] == ["05_pooling/file-name"]  # the statement is no message
    catalogue.get("05_pooling", context="05_pooling/file-name").string = "05_agrupamiento"
    tn._write(tn._catalogue_path(tmp_path, "es"), catalogue)
    tn.build(tmp_path, "es")
    spanish = nbformat.read(tmp_path / "notebooks" / "es" / "05_agrupamiento.ipynb", as_version=4)
    assert spanish.cells[0].source.startswith("### Ejercicio 05.pool_params: ")
    assert tn.check(tmp_path, "es") == []


_TEXT_IN_MATH = re.compile(r"\\text\{[^{}]*\}")


def test_terminology_of_the_spanish_edition():
    text = "\n".join(c.source for p in sorted(SPANISH.glob("*.ipynb"))
                     for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown")
    for term in ("red neuronal convolucional (CNN)", "núcleo", "paso", "relleno",
                 "mapa de características", "agrupamiento máximo", "módulo Inception"):
        assert term in text, term


def test_the_cnn_notebook_says_the_layer_names_are_keras_style_and_stay_english():
    nb = nbformat.read(SPANISH / "07_clasificacion_con_cnn.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "clases al estilo de Keras (`Conv2D`" in text and "se quedan en inglés" in text


def test_index_has_a_spanish_english_glossary():
    nb = nbformat.read(SPANISH / "00_indice.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Glosario" in text
    for es, en in [("núcleo", "kernel"), ("paso", "stride"), ("relleno", "padding"),
                   ("mapa de características", "feature map"), ("agrupamiento máximo", "max pooling"),
                   ("módulo Inception", "inception module"), ("función de activación", "activation function"),
                   ("exactitud", "accuracy"), ("tasa de aprendizaje", "learning rate"), ("pérdida", "loss"),
                   ("entropía cruzada", "cross-entropy"), ("descenso de gradiente", "gradient descent"),
                   ("retropropagación", "backpropagation"), ("minilote", "mini-batch"),
                   ("aumento de datos", "data augmentation"), ("dilatación", "dilation"),
                   ("relleno de salida", "output padding"), ("submuestreo", "subsampling"),
                   ("agrupamiento promedio global", "global average pooling"), ("equivariancia", "equivariance"),
                   ("hiperparámetro", "hyperparameter"), ("coincidencia de plantillas", "template matching"),
                   ("multiplicaciones-acumulaciones (MAC)", "multiply-adds")]:
        assert re.search(rf"^\|[^|\n]*{re.escape(es)}[^|\n]*\|[^|\n]*{re.escape(en)}", text, re.M), (es, en)
    assert "## Números" in text and "15\u202f500 millones" in text  # the rule for numbers in the text


#: Common English words that never occur in Spanish prose.
ENGLISH_WORDS = {"the", "with", "of", "and", "is", "are", "from", "each", "to", "for", "this", "that",
                 "what", "which", "you", "your", "output", "input", "how", "does", "in", "on", "by",
                 "it", "be", "where", "when", "then", "than"}
_NOT_PROSE = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|\]\([^)]*\)|<[^>]+>"
                        r"|https?://\S+|\b\d\d[a-z]?\.[a-z_0-9]+\b", re.S)


def _prose(markdown):
    """The Spanish prose of a cell: no code, math, link targets, exercise ids, cited titles
    (a list item with a year in parentheses) or the glossary's English column."""
    markdown = markdown.split("## Glosario")[0]
    items = [i for i in re.split(r"\n(?=- )", markdown) if not re.search(r"\(\d{4}\)\.", i)]
    return _NOT_PROSE.sub(" ", "\n".join(items))


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_no_english_prose_left(pair):
    _, es_path = pair
    es = nbformat.read(es_path, as_version=4)
    found = {}
    for cell in es.cells:
        texts = cell.metadata.get("meia", {}).get("instructor_notes", [])
        if cell.cell_type == "markdown":
            texts = [cell.source, *texts]
        for text in texts:
            words = [w for w in re.findall(r"[A-Za-z]+", _prose(text)) if w.lower() in ENGLISH_WORDS]
            if words:
                found.setdefault(cell.id, []).extend(words)
    assert found == {}, f"{es_path.name}: English words in the markdown: {found}"


# -- the tool, on hand-made notebooks --------------------------------------------------------
def test_split_blocks_round_trips_and_keeps_fences_and_displays_whole():
    source = ("# Title\n\nOne paragraph\non two lines.\n\n\n```\ndiagram\n\nwith a gap\n```\n\n"
              "$$\na = b\n\n+ c \\qquad (1)\n$$\n")
    parts = tn.split_blocks(source)
    assert "\n".join(text for text, _ in parts) == source
    paragraphs = [text for text, is_paragraph in parts if is_paragraph]
    assert paragraphs == ["# Title", "One paragraph\non two lines.", "```\ndiagram\n\nwith a gap\n```",
                          "$$\na = b\n\n+ c \\qquad (1)\n$$"]


def _toy_project(tmp_path, markdown):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    md = nbformat.v4.new_markdown_cell(markdown)
    md.id = "aaaa0001"
    md.metadata["slideshow"] = {"slide_type": "slide"}
    code = nbformat.v4.new_code_cell("import meia_cnn as mc\nmc.output_size(5, 3)")
    code.id = "aaaa0002"
    code.metadata["slideshow"] = {"slide_type": "fragment"}
    nb.cells = [md, code]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "01_toy_topic.ipynb")
    return tmp_path


def _translate(root, translations):
    catalogue = tn.update(root, "es")
    for message in catalogue:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    tn._write(tn._catalogue_path(root, "es"), catalogue)


def test_tool_end_to_end_on_a_toy_notebook(tmp_path):
    root = _toy_project(tmp_path, "# Stride\n\nSee [the index](00_index.ipynb) and [this](01_toy_topic.ipynb#Stride)."
                                  "\n\n$$O_w = \\frac{l_w - K_w}{s} + 1$$\n\n![grid](images/grid.png)")
    catalogue = tn.update(root, "es")
    ids = [m.id for m in catalogue if m.id]
    # the file name, three paragraphs (an image's alt text is prose); the equation alone is not
    assert ids == ["01_toy_topic", "# Stride",
                   "See [the index](00_index.ipynb) and [this](01_toy_topic.ipynb#Stride).",
                   "![grid](images/grid.png)"]
    assert [m.context for m in catalogue if m.id] == ["01_toy_topic/file-name"] + ["01_toy_topic/aaaa0001"] * 3
    assert tn.status(root).untranslated  # nothing translated yet
    _translate(root, {"01_toy_topic": "01_tema_de_juguete", "# Stride": "# Paso",
                      ids[2]: "Mira [el índice](00_index.ipynb) y [esto](01_toy_topic.ipynb#Stride).",
                      ids[3]: "![cuadrícula](images/grid.png)"})
    assert tn.build(root) == []
    built = nbformat.read(root / "notebooks" / "es" / "01_tema_de_juguete.ipynb", as_version=4)
    assert [c.id for c in built.cells] == ["aaaa0001", "set-language-es", "aaaa0002"]
    assert built.cells[0].source == (
        "# Paso\n\nMira [el índice](../00_index.ipynb) y [esto](01_tema_de_juguete.ipynb#Stride)."
        "\n\n$$O_w = \\frac{l_w - K_w}{s} + 1$$\n\n![cuadrícula](../images/grid.png)")
    assert built.cells[2].source == "import meia_cnn as mc\nmc.output_size(5, 3)"
    assert tn.status(root).ok
    assert tn.check(root) == []


def test_an_english_edit_reopens_only_its_paragraph_as_fuzzy(tmp_path):
    root = _toy_project(tmp_path, "# Padding\n\nZeros are added around the input before the kernel slides.")
    _translate(root, {"01_toy_topic": "01_juguete", "# Padding": "# Relleno",
                      "Zeros are added around the input before the kernel slides.":
                          "Se agregan ceros alrededor de la entrada antes de deslizar el núcleo."})
    tn.build(root)
    assert tn.status(root).ok
    path = root / "notebooks" / "01_toy_topic.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Padding\n\nZeros are added around the input before the kernel slides over it."
    nbformat.write(nb, path)
    state = tn.status(root)
    assert state.out_of_date == ["notebooks/es/01_juguete.ipynb"]
    assert len(state.untranslated) == 1 and state.fuzzy == []
    catalogue = tn.update(root, "es")
    fuzzy = [m for m in catalogue if m.id and m.fuzzy]
    assert [m.string for m in fuzzy] == ["Se agregan ceros alrededor de la entrada antes de deslizar el núcleo."]
    assert catalogue.get("# Padding", context="01_toy_topic/aaaa0001").string == "# Relleno"
    state = tn.status(root)
    assert state.untranslated == [] and len(state.fuzzy) == 1
    # built anyway, the fuzzy paragraph in English until it is reviewed
    assert len(tn.build(root)) == 1
    built = nbformat.read(root / "notebooks" / "es" / "01_juguete.ipynb", as_version=4)
    assert built.cells[0].source.startswith("# Relleno\n\nZeros are added")


def test_instructor_notes_in_metadata_are_translated(tmp_path):
    root = _toy_project(tmp_path, "# Pooling")
    path = root / "notebooks" / "01_toy_topic.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata["meia"] = {"instructor_notes": ["Ask the room first.", "Then show the answer."]}
    nb.cells[1].metadata["tags"] = ["core", "nbval-check-output"]
    nbformat.write(nb, path)
    catalogue = tn.update(root, "es")
    assert [m.context for m in catalogue if m.id][-2:] == ["01_toy_topic/aaaa0002/notes"] * 2
    _translate(root, {"01_toy_topic": "01_juguete", "# Pooling": "# Agrupamiento",
                      "Ask the room first.": "Primero pregunta al grupo."})
    assert tn.build(root) == ["01_toy_topic/aaaa0002/notes: 'Then show the answer.'"]
    built = nbformat.read(root / "notebooks" / "es" / "01_juguete.ipynb", as_version=4)
    assert built.cells[2].metadata["meia"]["instructor_notes"] == ["Primero pregunta al grupo.",
                                                                   "Then show the answer."]
    assert built.cells[1].metadata["tags"] == ["core"]  # the language switch, in the same part
    assert tn.status(root).untranslated == ["01_toy_topic/aaaa0002/notes: 'Then show the answer.'"]


def test_a_lettered_notebook_keeps_its_number_and_letter(tmp_path):
    root = _toy_project(tmp_path, "# Title")
    (root / "notebooks" / "01_toy_topic.ipynb").rename(root / "notebooks" / "04b_extra_topic.ipynb")
    _translate(root, {"04b_extra_topic": "04b_tema_extra", "# Title": "# Título"})
    assert tn.build(root) == []
    assert (root / "notebooks" / "es" / "04b_tema_extra.ipynb").exists()


def test_file_name_must_keep_its_number(tmp_path):
    root = _toy_project(tmp_path, "# Title")
    _translate(root, {"01_toy_topic": "02_otro", "# Title": "# Título"})
    with pytest.raises(ValueError, match=r"must keep its number .*got '02_otro'"):
        tn.build(root)


def test_language_cell():
    cell = tn.language_cell("es")
    assert cell.id == "set-language-es"
    assert cell.source.endswith('meia_cnn.set_language("es")')


def test_po_file_is_a_babel_catalogue():
    catalogue = tn.load_catalogue(ROOT, "es")
    assert isinstance(catalogue, Catalog)
    assert str(catalogue.locale) == "es"
    assert PO.exists()

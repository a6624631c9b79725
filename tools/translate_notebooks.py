"""The Spanish notebooks, built from the English ones and a gettext catalogue.

One source of truth for the code: ``notebooks/es/NN_<nombre>.ipynb`` is
``notebooks/NN_<name>.ipynb`` with its markdown, comments and printed text translated through
``notebooks/locale/es/LC_MESSAGES/notebooks.po`` and its code otherwise unchanged.
``make notebooks-es`` runs the two steps::

    python -m tools.translate_notebooks update   # exercise statements -> English; English -> .pot -> .po
    python -m tools.translate_notebooks build    # .po (and the package's statements) -> notebooks/es/*.ipynb

``python -m tools.translate_notebooks outputs [NN ...]`` stores the
outputs of a run in Spanish (after a change to a printing cell), and
``python -m tools.translate_notebooks check`` exits with 1 when
``notebooks/es/`` is out of date or a message is untranslated or fuzzy.

The catalogue
-------------
* One message per **paragraph** of a markdown cell (a block between blank
  lines; a fenced diagram or a ``$$`` display with blank lines inside stays
  one block).  A small English edit then re-opens one paragraph, not a whole
  cell, and Babel's fuzzy matching offers the old translation to start from.
  Blocks with nothing to translate (an equation alone, unless words sit in its
  ``\\text{}``) are copied as they are.
* ``msgctxt`` is ``<notebook>/<cell id>``: stable while cells move, so the
  same paragraph in two cells can be translated twice if needed.  The
  comment above each message says the cell's position and slide type.
* Each instructor note of a cell's metadata (``meia.instructor_notes``) is a
  message of its own, ``msgctxt`` ``<notebook>/<cell id>/notes``.
* One message per notebook with ``msgctxt`` ``<notebook>/file-name`` holds
  the Spanish file name (same number, ``[a-z0-9_]`` only).
* An exercise's statement is not in this catalogue: a markdown cell that
  starts ``### Exercise <id>:`` is the package's
  :func:`meia_cnn.exercises.statement` (heading, title and question, from the
  package's own catalogue), written by ``update`` into the English notebook
  and by ``build`` in the notebook's language.  One source per statement.

The built notebook
------------------
* Markdown: each paragraph translated (an untranslated or fuzzy one stays
  English, and ``check`` fails); links to other notebooks rewritten to the
  Spanish file names (a link written ``../NN_<name>.ipynb`` in a translation
  stays: it leads back to the English edition); other relative links and
  images pointed one folder up.
* Code cells: the same code, with its comments and the string literals a
  student reads (``print`` arguments, f-strings, labels; see
  :func:`code_messages`) translated through messages of their own,
  ``msgctxt`` ``<notebook>/<cell id>/code``, each the token as written
  (``# a whole number``, ``f"{n:,} parameters"``): an f-string's translation
  keeps its replacement fields.  Names the code looks things up with stay.
* Outputs: those of a run in the language (nbval compares them):
  ``python -m tools.translate_notebooks outputs [NN ...]`` runs the built
  notebooks and stores them; a build keeps them while a cell's translated
  code is unchanged, and starts a new or changed cell from the English ones.
  One code cell is inserted before the first one: ``meia_cnn.set_language("es")``
  (slide type ``skip``, id ``set-language-es``, the tags of the first code cell
  but nbval's), so every string the package
  shows afterwards is Spanish.
* Cell ids, slide metadata, tags and notebook metadata copied; instructor
  notes translated.
"""

from __future__ import annotations

import argparse
import copy
import io
import keyword
import re
import sys
import tempfile
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from meia_cnn import __version__
from meia_cnn import exercises as _exercises
from meia_cnn.i18n import using_language

__all__ = [
    "Status",
    "build",
    "check",
    "code_messages",
    "extract",
    "language_cell",
    "load_catalogue",
    "main",
    "split_blocks",
    "statement_id",
    "status",
    "store_outputs",
    "translate_code",
    "translate_notebook",
    "update",
]

DOMAIN = "notebooks"
LANGUAGE_CELL_ID = "set-language-{language}"
_NOTEBOOK_NAME = re.compile(r"^\d\d[a-z]?_[a-z0-9_]+$")
_LINE_WIDTH = 100
_NOTES_KEY = "instructor_notes"


# -- paths ---------------------------------------------------------------------------------
def _example_project() -> tuple[tempfile.TemporaryDirectory, Path]:
    """A throw-away project for the examples: ``notebooks/01_kernels.ipynb``, one paragraph
    ("A kernel slides.", cell id ``intro``); call ``cleanup()`` on the folder when done."""
    folder = tempfile.TemporaryDirectory()
    root = Path(folder.name)
    (root / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("A kernel slides.", id="intro")])
    nbformat.write(nb, root / "notebooks" / "01_kernels.ipynb")
    return folder, root


def _english(root: Path) -> list[Path]:
    return sorted(p for p in (root / "notebooks").glob("*.ipynb") if _NOTEBOOK_NAME.match(p.stem))


def _template_path(root: Path) -> Path:
    return root / "notebooks" / "locale" / f"{DOMAIN}.pot"


def _catalogue_path(root: Path, language: str) -> Path:
    return root / "notebooks" / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _output_dir(root: Path, language: str) -> Path:
    return root / "notebooks" / language


# -- markdown paragraphs -------------------------------------------------------------------
def split_blocks(source: str) -> list[tuple[str, bool]]:
    """Cut markdown into paragraphs and the blank lines between them.

    Parameters
    ----------
    source : str
        A markdown cell's source.

    Returns
    -------
    parts : list of (str, bool)
        ``(text, is_paragraph)`` in order; ``"\\n".join`` of the texts gives
        ``source`` back exactly.  A fenced block (`````) or a ``$$`` display
        is never cut at a blank line inside it.

    Examples
    --------
    >>> split_blocks("# Title\\n\\nSome text\\non two lines.")
    [('# Title', True), ('', False), ('Some text\\non two lines.', True)]
    """
    parts: list[tuple[str, bool]] = []
    current: list[str] = []
    blanks: list[str] = []
    fence: str | None = None
    in_math = False
    for line in source.split("\n"):
        stripped = line.strip()
        if fence is None and not in_math and stripped == "":
            if current:
                parts.append(("\n".join(current), True))
                current = []
            blanks.append(line)
            continue
        if blanks:
            parts.append(("\n".join(blanks), False))
            blanks = []
        current.append(line)
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif stripped.count("$$") % 2 == 1:
            in_math = not in_math
    if current:
        parts.append(("\n".join(current), True))
    if blanks:
        parts.append(("\n".join(blanks), False))
    return parts


_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|\]\([^)]*\)|<[^>]+>|https?://\S+", re.S)


_MATH_WORDS = re.compile(r"\\text\{([^{}]*)\}")


def _has_prose(block: str) -> bool:
    """True when a paragraph holds words outside math, code and link targets, or words in math
    (``\\text{parameters}``; a name such as ``\\text{conv}`` is left as it is).

    Examples
    --------
    >>> _has_prose(r"$$F \\quad \\text{parameters,}$$"), _has_prose(r"$$\\text{conv}(X, K)$$")
    (True, False)
    """
    words = " ".join(w for w in _MATH_WORDS.findall(block) if w.strip() not in _MATH_NAMES)
    return re.search(r"[A-Za-z]{2,}", _NOT_PROSE.sub(" ", block) + " " + words) is not None


#: Words in math that are names, not prose.
_MATH_NAMES = {"conv", "softmax", "ReLU", "max", "avg"}


# -- exercise statements: the package's text in every language -------------------------------
_STATEMENT = re.compile(r"^### Exercise (\d\d[a-z]?\.\w+): ")


def statement_id(cell: nbformat.NotebookNode) -> str | None:
    """The exercise a markdown cell states (``### Exercise <id>: ...``), else None.

    Parameters
    ----------
    cell : nbformat.NotebookNode

    Returns
    -------
    exercise_id : str or None
        An id of :data:`meia_cnn.exercises.EXERCISES`.

    Examples
    --------
    >>> from nbformat import v4
    >>> statement_id(v4.new_markdown_cell("### Exercise 04.output_size: Equation (3) with a stride"))
    '04.output_size'
    >>> statement_id(v4.new_markdown_cell("### Exercise 99.none: not one of the kit's")) is None
    True
    """
    match = _STATEMENT.match(cell.source) if cell.cell_type == "markdown" else None
    return match.group(1) if match and match.group(1) in _exercises.EXERCISES else None


def _statement(exercise_id: str, language: str) -> str:
    """The exercise's statement in ``language``, from the package's catalogue."""
    with using_language(language):
        return str(_exercises.statement(exercise_id))


def _stale_statements(nb: nbformat.NotebookNode) -> list[str]:
    """The exercises whose cell in an English notebook is not the package's statement."""
    return [
        exercise_id
        for cell in nb.cells
        if (exercise_id := statement_id(cell)) is not None and cell.source != _statement(exercise_id, "en")
    ]


def _sync_statements(root: Path) -> list[Path]:
    """Write the package's statement into every English exercise cell that differs from it."""
    written = []
    for path in _english(root):
        nb = nbformat.read(path, as_version=4)
        if not _stale_statements(nb):
            continue
        for cell in nb.cells:
            exercise_id = statement_id(cell)
            if exercise_id is not None:
                cell.source = _statement(exercise_id, "en")
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _messages(path: Path) -> Iterator[tuple[str, str, str]]:
    """``(msgctxt, msgid, comment)`` of one English notebook, in reading order."""
    nb = nbformat.read(path, as_version=4)
    stem = path.stem
    yield f"{stem}/file-name", stem, "The translated file name: keep the number (e.g. 04b), use a-z, 0-9 and _ only."
    for index, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        hidden = " (collapsed)" if cell.metadata.get("jupyter", {}).get("source_hidden") else ""
        comment = f"cell {index}, {cell.cell_type}, {kind}{hidden}"
        if cell.cell_type == "markdown" and statement_id(cell) is None:
            for text, is_paragraph in split_blocks(cell.source):
                if is_paragraph and _has_prose(text):
                    yield f"{stem}/{cell.id}", text, comment
        if cell.cell_type == "code":
            for _, _, text, kind in code_messages(cell.source):
                yield f"{stem}/{cell.id}/code", text, f"{comment}, {kind}"
        for note in _notes(cell):
            if _has_prose(note):
                yield f"{stem}/{cell.id}/notes", note, comment + ", instructor note"


def _notes(cell: nbformat.NotebookNode) -> list[str]:
    """The instructor notes kept in a cell's metadata (``meia.instructor_notes``)."""
    notes = cell.get("metadata", {}).get("meia", {}).get(_NOTES_KEY, [])
    return [n for n in notes if isinstance(n, str)] if isinstance(notes, list) else []


def extract(root: Path) -> Catalog:
    """The template catalogue of every English notebook's markdown.

    Parameters
    ----------
    root : pathlib.Path
        The project folder (holding ``notebooks/``).

    Returns
    -------
    template : babel.messages.catalog.Catalog

    Examples
    --------
    >>> from pathlib import Path
    >>> template = extract(Path("/nonexistent"))
    >>> len(template)
    0
    """
    template = Catalog(project="meia-cnn notebooks", copyright_holder="meia-cnn contributors", fuzzy=False)
    for path in _english(root):
        for context, text, comment in _messages(path):
            if template.get(text, context=context) is not None:
                continue
            template.add(text, context=context, auto_comments=[comment])
    return template


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language)


_DATES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*$', re.M)


def _write(path: Path, catalogue: Catalog) -> None:
    """Write a catalogue, leaving the file alone when only its dates would change."""
    catalogue.project = "meia-cnn notebooks"
    catalogue.version = __version__
    catalogue.msgid_bugs_address = ""
    if catalogue.locale is not None:
        catalogue.last_translator = "meia-cnn contributors"
        catalogue.language_team = str(catalogue.locale.english_name)
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=_LINE_WIDTH, ignore_obsolete=True, omit_header=False)
    text = buffer.getvalue()
    if path.exists() and _DATES.sub(b"", path.read_bytes()) == _DATES.sub(b"", text):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)


def update(root: Path, language: str = "es") -> Catalog:
    """Write ``notebooks/locale/notebooks.pot`` and merge it into the language's ``.po``.

    First the English notebooks' exercise cells get the package's statements
    (:func:`meia_cnn.exercises.statement`), which no catalogue of the
    notebooks holds.  New paragraphs come in untranslated (or fuzzy, with the translation of a
    close old paragraph); paragraphs no longer in the notebooks are dropped.

    Parameters
    ----------
    root : pathlib.Path
        The project folder.
    language : str
        The catalogue's language.

    Returns
    -------
    catalogue : babel.messages.catalog.Catalog
        The updated catalogue, as written.

    Examples
    --------
    >>> tmp, root = _example_project()
    >>> catalogue = update(root, "es")
    >>> [(m.context, m.id, m.string) for m in catalogue if m.id]
    [('01_kernels/file-name', '01_kernels', None), ('01_kernels/intro', 'A kernel slides.', None)]
    >>> (root / "notebooks" / "locale" / "es" / "LC_MESSAGES" / "notebooks.po").is_file()
    True
    >>> tmp.cleanup()
    """
    _sync_statements(root)
    template = extract(root)
    _write(_template_path(root), template)
    path = _catalogue_path(root, language)
    if path.exists():
        catalogue = _read(path, language)
    else:
        catalogue = Catalog(
            locale=language, project="meia-cnn notebooks", copyright_holder="meia-cnn contributors", fuzzy=False
        )
    catalogue.update(template, no_fuzzy_matching=False, update_header_comment=False)
    _write(path, catalogue)
    return catalogue


def load_catalogue(root: Path, language: str = "es") -> Catalog:
    """The language's catalogue as committed (empty when there is none).

    Parameters
    ----------
    root : pathlib.Path
        The project folder.
    language : str
        The catalogue's language (``"es"``).

    Returns
    -------
    catalogue : babel.messages.catalog.Catalog

    Examples
    --------
    >>> catalogue = load_catalogue(Path("/nonexistent"), "es")
    >>> str(catalogue.locale), len(catalogue)
    ('es', 0)
    """
    path = _catalogue_path(root, language)
    return _read(path, language) if path.exists() else Catalog(locale=language)


def _translated(catalogue: Catalog, text: str, context: str) -> str | None:
    message = catalogue.get(text, context=context)
    if message is None or message.fuzzy or not message.string:
        return None
    return str(message.string)


# -- code cells: comments and printed text ---------------------------------------------------
_EXERCISE_ID = re.compile(r"^[rbuRBU]?['\"]\d\d[a-z]?\.\w+['\"]$")
_KEY_LIKE = re.compile(r"^['\"](?=[a-z0-9_]*[0-9_])[a-z][a-z0-9_]*['\"]$")  # "vgg16", "sobel_x"
_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def _offsets(source: str) -> list[int]:
    """The offset in ``source`` of the start of each line (1-based rows, as tokenize counts)."""
    starts = [0, 0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def code_messages(source: str) -> list[tuple[int, int, str, str]]:
    """The comments and the shown string literals of a code cell.

    A comment with words is a message; so is a string literal that a student
    reads: an argument of ``print``, an f-string, a label in a tuple or list, a
    value assigned or put in a dictionary.  Literals the code looks things up
    with stay as they are: arguments of any other call, keyword arguments,
    dictionary keys, subscripts, exercise ids and names with a digit or an
    underscore (``"vgg16"``, ``"sobel_x"``).

    Parameters
    ----------
    source : str
        A code cell's source.

    Returns
    -------
    messages : list of (int, int, str, str)
        ``(start, end, text, kind)``: ``source[start:end] == text``, the
        token as written (quotes, prefix and ``#`` included); ``kind`` is
        ``"comment"`` or ``"string literal"``.  Empty when the cell is not
        plain Python (a magic command).

    Examples
    --------
    >>> src = 'x = mc.pad(a, "same")   # pad it\\nprint(f"size: {x.shape}", "done")'
    >>> [(text, kind) for _, _, text, kind in code_messages(src)]
    [('# pad it', 'comment'), ('f"size: {x.shape}"', 'string literal'), ('"done"', 'string literal')]
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    starts = _offsets(source)
    found: list[tuple[int, int, str, str]] = []
    # per open bracket: (bracket, "call" / "print" / "subscript" / "group")
    stack: list[tuple[str, str]] = []
    significant = [
        t
        for t in tokens
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    before: dict[int, tokenize.TokenInfo | None] = {}
    after: dict[int, tokenize.TokenInfo | None] = {}
    for i, t in enumerate(significant):
        before[id(t)] = significant[i - 1] if i else None
        after[id(t)] = significant[i + 1] if i + 1 < len(significant) else None
    for t in tokens:
        start = starts[t.start[0]] + t.start[1]
        end = starts[t.end[0]] + t.end[1]
        if t.type == tokenize.COMMENT:
            if re.search(r"[A-Za-z]{2,}", t.string):
                found.append((start, end, t.string, "comment"))
            continue
        if t.type == tokenize.OP and t.string in "([{":
            prev = before.get(id(t))
            follows_value = prev is not None and (
                (prev.type == tokenize.NAME and not keyword.iskeyword(prev.string))
                or prev.string in (")", "]")
                or prev.type == tokenize.STRING
            )
            if t.string == "(" and follows_value:
                role = "print" if prev is not None and prev.string == "print" else "call"
            elif t.string == "[" and follows_value:
                role = "subscript"
            else:
                role = "group"
            stack.append((t.string, role))
            continue
        if t.type == tokenize.OP and t.string in ")]}":
            if stack:
                stack.pop()
            continue
        if t.type != tokenize.STRING:
            continue
        text = t.string
        prefix = text[: len(text) - len(text.lstrip("bBfFrRuU"))].lower()
        body = _FIELD.sub(" ", text) if "f" in prefix else text
        if not re.search(r"[A-Za-z]{2,}", body[len(prefix) :]) or _EXERCISE_ID.match(text) or _KEY_LIKE.match(text):
            continue
        prev, nxt = before.get(id(t)), after.get(id(t))
        roles = [role for _, role in stack]
        call = next((r for r in reversed(roles) if r in ("call", "print")), None)
        if call == "call" or (roles and roles[-1] == "subscript"):
            continue
        if stack and prev is not None and prev.string == "=" and call is not None:
            continue  # a keyword argument
        if stack and stack[-1][0] == "{" and nxt is not None and nxt.string == ":":
            continue  # a dictionary key
        found.append((start, end, text, "string literal"))
    return found


def translate_code(source: str, catalogue: Catalog, context: str) -> tuple[str, list[str]]:
    """A code cell with its comments and shown string literals translated.

    Parameters
    ----------
    source : str
    catalogue : babel.messages.catalog.Catalog
    context : str
        The messages' context (``<notebook>/<cell id>/code``).

    Returns
    -------
    source : str
        The code, identical but for the translated comments and literals.
    missing : list of str
        The comments and literals left in English.

    Examples
    --------
    >>> from babel.messages.catalog import Catalog
    >>> catalogue = Catalog(locale="es")
    >>> _ = catalogue.add('"done"', '"listo"', context="01_x/c1/code")
    >>> translate_code('print("done")  # at last', catalogue, "01_x/c1/code")
    ('print("listo")  # at last', ["01_x/c1/code: '# at last'"])
    """
    missing: list[str] = []
    out = source
    for start, end, text, _ in reversed(code_messages(source)):
        translated = _translated(catalogue, text, context)
        if translated is None:
            missing.append(f"{context}: {text[:60]!r}")
            continue
        out = out[:start] + translated + out[end:]
    return out, missing[::-1]


# -- building ------------------------------------------------------------------------------
def language_cell(language: str, slide_type: str = "skip", tags: Sequence[str] = ()) -> nbformat.NotebookNode:
    """The code cell that switches the kit's text to ``language``.

    Parameters
    ----------
    language : str
    slide_type : str
        Its slideshow metadata.
    tags : sequence of str
        Its cell tags (the tags of the lecture's first code cell, so that it
        belongs to the same part of the lecture).

    Returns
    -------
    cell : nbformat.NotebookNode

    Examples
    --------
    >>> print(language_cell("es").source)
    import meia_cnn
    <BLANKLINE>
    meia_cnn.set_language("es")
    """
    cell = nbformat.v4.new_code_cell(f'import meia_cnn\n\nmeia_cnn.set_language("{language}")')
    cell.id = LANGUAGE_CELL_ID.format(language=language)
    cell.metadata = nbformat.NotebookNode({"slideshow": {"slide_type": slide_type}})
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _file_names(root: Path, catalogue: Catalog) -> dict[str, str]:
    """English stem -> translated stem (the English one until it is translated)."""
    names = {}
    for path in _english(root):
        name = _translated(catalogue, path.stem, f"{path.stem}/file-name") or path.stem
        if not _NOTEBOOK_NAME.match(name) or name.split("_")[0] != path.stem.split("_")[0]:
            raise ValueError(
                f"the file name of {path.stem} must keep its number and use a-z, 0-9 and _ only, got {name!r}"
            )
        names[path.stem] = name
    return names


_LINK = re.compile(r"(\]\(\s*<?)([^)\s>]+)")


def _rewrite_links(text: str, names: dict[str, str]) -> str:
    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", target, re.I):
            return match.group(0)
        path, sep, anchor = target.partition("#")
        stem = path.removesuffix(".ipynb")
        if path.endswith(".ipynb") and path.startswith("../") and stem[3:] in names:
            return match.group(0)  # a link back to the English edition, written for notebooks/<language>/
        if path.endswith(".ipynb") and "/" not in path and stem in names:
            return f"{match.group(1)}{names[stem]}.ipynb{sep}{anchor}"
        return f"{match.group(1)}../{target}"

    return _LINK.sub(fix, text)


def translate_notebook(
    nb: nbformat.NotebookNode,
    stem: str,
    catalogue: Catalog,
    names: dict[str, str],
    language: str = "es",
    previous: nbformat.NotebookNode | None = None,
) -> tuple[nbformat.NotebookNode, list[str]]:
    """One notebook in ``language``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The English notebook (not modified).
    stem : str
        Its file name without ``.ipynb`` (the messages' context).
    catalogue : babel.messages.catalog.Catalog
    names : dict of str to str
        English -> translated notebook names, for the links.
    language : str
    previous : nbformat.NotebookNode, optional
        The translated notebook as built before: a code cell whose translated
        source is unchanged keeps its outputs from it (stored from a run in
        ``language`` by :func:`store_outputs`); other cells get the English
        outputs.

    Returns
    -------
    translated : nbformat.NotebookNode
    missing : list of str
        The paragraphs left in English (untranslated or fuzzy).

    Examples
    --------
    >>> from babel.messages.catalog import Catalog
    >>> from nbformat import v4
    >>> text = "A kernel slides. See [pooling](02_pooling.ipynb)."
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell(text, id="intro"), v4.new_code_cell("1 + 1")])
    >>> catalogue = Catalog(locale="es")
    >>> _ = catalogue.add(text, "Un kernel se desliza. Véase [pooling](02_pooling.ipynb).",
    ...                   context="01_kernels/intro")
    >>> es, missing = translate_notebook(nb, "01_kernels", catalogue, {"02_pooling": "02_agrupamiento"})
    >>> print(es.cells[0].source)
    Un kernel se desliza. Véase [pooling](02_agrupamiento.ipynb).
    >>> es.cells[1].id, es.cells[2].source, missing
    ('set-language-es', '1 + 1', [])
    """
    out = copy.deepcopy(nb)
    missing: list[str] = []
    cells: list[nbformat.NotebookNode] = []
    old_cells = {c.get("id"): c for c in previous.cells} if previous is not None else {}
    for cell in out.cells:
        if cell.cell_type == "code" and not any(c.cell_type == "code" for c in cells):
            tags = [t for t in cell.metadata.get("tags", []) if not t.startswith("nbval")]
            cells.append(language_cell(language, tags=tags))
        if _notes(cell):
            context = f"{stem}/{cell.id}/notes"
            notes = []
            for note in cell.metadata["meia"][_NOTES_KEY]:
                translated = _translated(catalogue, note, context) if isinstance(note, str) else None
                if translated is None and isinstance(note, str) and _has_prose(note):
                    missing.append(f"{context}: {note[:60]!r}")
                notes.append(note if translated is None else translated)
            cell.metadata["meia"][_NOTES_KEY] = notes
        if cell.cell_type == "code":
            cell.source, left = translate_code(cell.source, catalogue, f"{stem}/{cell.id}/code")
            missing += left
            before = old_cells.get(cell.id)
            if (
                cell.outputs
                and before is not None
                and before.cell_type == "code"
                and before.source == cell.source
                and before.outputs
            ):
                cell.outputs = before.outputs
                cell.execution_count = before.execution_count
        exercise_id = statement_id(cell)
        if exercise_id is not None:
            cell.source = _statement(exercise_id, language)
        elif cell.cell_type == "markdown":
            context = f"{stem}/{cell.id}"
            pieces = []
            for text, is_paragraph in split_blocks(cell.source):
                if is_paragraph and _has_prose(text):
                    translated = _translated(catalogue, text, context)
                    if translated is None:
                        missing.append(f"{context}: {text[:60]!r}")
                        translated = text
                    text = _rewrite_links(translated, names)
                elif is_paragraph:
                    text = _rewrite_links(text, names)
                pieces.append(text)
            cell.source = "\n".join(pieces)
        cells.append(cell)
    out.cells = cells
    return out, missing


def _built(root: Path, language: str) -> tuple[dict[Path, str], list[str]]:
    catalogue = load_catalogue(root, language)
    names = _file_names(root, catalogue)
    files: dict[Path, str] = {}
    missing: list[str] = []
    for path in _english(root):
        nb = nbformat.read(path, as_version=4)
        target = _output_dir(root, language) / f"{names[path.stem]}.ipynb"
        previous = nbformat.read(target, as_version=4) if target.exists() else None
        translated, left = translate_notebook(nb, path.stem, catalogue, names, language, previous)
        missing += left
        files[target] = nbformat.writes(translated) + "\n"
    return files, missing


def build(root: Path, language: str = "es") -> list[str]:
    """Write ``notebooks/<language>/*.ipynb``; remove translated notebooks whose source is gone.

    Parameters
    ----------
    root : pathlib.Path
        The project folder: its English notebooks are read, ``notebooks/<language>/`` written.
    language : str
        The language of the notebooks to write.

    Returns
    -------
    missing : list of str
        The paragraphs left in English (each as ``context: start of text``).

    Examples
    --------
    >>> tmp, root = _example_project()
    >>> build(root, "es")  # nothing translated yet: the paragraph stays in English
    ["01_kernels/intro: 'A kernel slides.'"]
    >>> [p.name for p in (root / "notebooks" / "es").glob("*.ipynb")]
    ['01_kernels.ipynb']
    >>> tmp.cleanup()
    """
    files, missing = _built(root, language)
    out_dir = _output_dir(root, language)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(out_dir.glob("*.ipynb")) - set(files):
        stale.unlink()
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return missing


def store_outputs(root: Path, language: str = "es", only: Sequence[str] = (), timeout: int = 600) -> list[Path]:
    """Run the translated notebooks and keep the outputs of a run in ``language``.

    Each translated notebook runs top to bottom in a fresh kernel (started in
    its folder, with this process's environment); the cells that have
    outputs stored in the English notebook get the outputs of this run, the
    others stay without outputs.  :func:`build` keeps them while the cell's
    translated source does not change.

    Parameters
    ----------
    root : pathlib.Path
        The project folder.
    language : str
        The language of the notebooks to run.
    only : sequence of str
        English notebook names (stems, or their number such as ``"04b"``) to
        run; all of them when empty.
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    written : list of pathlib.Path
        The translated notebooks whose outputs changed.

    Examples
    --------
    What ``python -m tools.translate_notebooks outputs 04b`` does (it runs a kernel, so not here):

    >>> store_outputs(Path("."), "es", only=["04b"])  # doctest: +SKIP
    [PosixPath('notebooks/es/04b_convolucion_transpuesta.ipynb')]
    """
    from nbclient import NotebookClient

    build(root, language)
    names = _file_names(root, load_catalogue(root, language))
    written = []
    for path in _english(root):
        if only and path.stem not in only and path.stem.split("_")[0] not in only:
            continue
        target = _output_dir(root, language) / f"{names[path.stem]}.ipynb"
        stored = nbformat.read(target, as_version=4)
        run = copy.deepcopy(stored)
        NotebookClient(
            run, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(target.parent)}}
        ).execute()
        english = {c.id: c for c in nbformat.read(path, as_version=4).cells}
        changed = False
        for cell, ran in zip(stored.cells, run.cells):
            source = english.get(cell.id)
            if cell.cell_type != "code" or source is None or not source.outputs:
                continue
            outputs = [
                o
                for o in ran.outputs
                if o.output_type != "display_data"
                or "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
            ]
            for output in outputs:
                if "execution_count" in output:
                    output.execution_count = source.execution_count
            if outputs != cell.outputs:
                cell.outputs = outputs
                cell.execution_count = source.execution_count
                changed = True
        if changed:
            target.write_text(nbformat.writes(stored) + "\n", encoding="utf-8")
            written.append(target)
    return written


@dataclass
class Status:
    """What is not right with a translation of the notebooks.

    Attributes
    ----------
    untranslated, fuzzy : list of str
        Messages of the English notebooks without a (final) translation.
    out_of_date : list of str
        Translated notebooks that differ from a fresh build, or are missing;
        English notebooks whose exercise cells differ from the package's statements.
    extra : list of str
        Files in ``notebooks/<language>/`` that no English notebook produces.

    Examples
    --------
    >>> s = Status()
    >>> s.ok
    True
    >>> s.fuzzy.append("01_kernels/intro: 'A kernel slides.'")
    >>> s.ok
    False
    """

    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not (self.untranslated or self.fuzzy or self.out_of_date or self.extra)


def status(root: Path, language: str = "es") -> Status:
    """Compare the English notebooks, the catalogue and ``notebooks/<language>/``.

    Parameters
    ----------
    root : pathlib.Path
        The project folder, with the English notebooks in ``notebooks/``.
    language : str
        The translation to compare with them.

    Returns
    -------
    status : Status

    Examples
    --------
    >>> tmp, root = _example_project()
    >>> s = status(root, "es")
    >>> s.ok, s.fuzzy, s.out_of_date
    (False, [], ['notebooks/es/01_kernels.ipynb'])
    >>> s.untranslated
    ["01_kernels/file-name: '01_kernels'", "01_kernels/intro: 'A kernel slides.'"]
    >>> tmp.cleanup()
    """
    result = Status()
    catalogue = load_catalogue(root, language)
    for message in extract(root):
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        where = f"{message.context}: {str(message.id)[:60]!r}"
        if found is None or not found.string:
            result.untranslated.append(where)
        elif found.fuzzy:
            result.fuzzy.append(where)
    for path in _english(root):
        stale = _stale_statements(nbformat.read(path, as_version=4))
        if stale:
            result.out_of_date.append(f"{path.relative_to(root)} (statements of {', '.join(stale)})")
    files, _ = _built(root, language)
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            result.out_of_date.append(str(path.relative_to(root)))
    out_dir = _output_dir(root, language)
    result.extra = sorted(str(p.relative_to(root)) for p in set(out_dir.glob("*.ipynb")) - set(files))
    return result


def check(root: Path, language: str = "es") -> list[str]:
    """Every problem of :func:`status`, one line each (empty when up to date).

    Parameters
    ----------
    root : pathlib.Path
        The project folder.
    language : str
        The translation to check.

    Returns
    -------
    problems : list of str

    Examples
    --------
    >>> tmp, root = _example_project()
    >>> for line in check(root, "es"):
    ...     print(line)
    untranslated 01_kernels/file-name: '01_kernels'
    untranslated 01_kernels/intro: 'A kernel slides.'
    out of date: notebooks/es/01_kernels.ipynb (run `make notebooks-es`)
    >>> tmp.cleanup()
    """
    s = status(root, language)
    return (
        [f"untranslated {m}" for m in s.untranslated]
        + [f"fuzzy {m}" for m in s.fuzzy]
        + [f"out of date: {p} (run `make notebooks-es`)" for p in s.out_of_date]
        + [f"not built from an English notebook: {p}" for p in s.extra]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``update``, ``build``, ``check`` or ``outputs``.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    code : int
        0 when all went well; 1 when ``check`` found a problem or ``build``
        left paragraphs (or comments and printed text of code cells) in English.

    Examples
    --------
    >>> tmp, root = _example_project()
    >>> main(["build", "--root", str(root)])
    notebooks/es: built; 1 paragraphs left in English
      01_kernels/intro: 'A kernel slides.'
    1
    >>> main(["check", "--root", str(root)])
    untranslated 01_kernels/file-name: '01_kernels'
    untranslated 01_kernels/intro: 'A kernel slides.'
    1
    >>> tmp.cleanup()
    """
    parser = argparse.ArgumentParser(prog="python -m tools.translate_notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "build", "check", "outputs"])
    parser.add_argument("notebooks", nargs="*", help="outputs: the notebooks to run (e.g. 02 04b); all by default")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder")
    parser.add_argument("--language", default="es")
    args = parser.parse_args(argv)
    if args.command == "update":
        catalogue = update(args.root, args.language)
        messages = [m for m in catalogue if m.id]
        todo = sum(1 for m in messages if m.fuzzy or not m.string)
        print(
            f"{_catalogue_path(args.root, args.language).relative_to(args.root)}: "
            f"{len(messages)} messages, {todo} to translate or review"
        )
        return 0
    if args.command == "build":
        missing = build(args.root, args.language)
        print(
            f"{_output_dir(args.root, args.language).relative_to(args.root)}: built; "
            f"{len(missing)} paragraphs left in English"
        )
        for line in missing:
            print("  " + line)
        return 1 if missing else 0
    if args.command == "outputs":
        for path in store_outputs(args.root, args.language, args.notebooks):
            print(f"{path.relative_to(args.root)}: outputs of a run in {args.language!r} stored")
        return 0
    problems = check(args.root, args.language)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

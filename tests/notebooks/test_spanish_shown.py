"""Everything a student sees in the Spanish edition is Spanish.

Each Spanish notebook (notebooks/es/) runs top to bottom in a fresh kernel, as
`make slides` runs it, and its student and instructor decks are written; from
the decks this test reads what is shown: the markdown, the printed and
displayed outputs (tables included), the text in the explorers' saved state
(labels, readouts, buttons, captions) and the instructor's notes.  Code is left
out (identifiers stay English, as in NumPy and PyTorch; the comments and the
printed text of code cells are checked through the catalogue by
test_notebooks_es.py), and so is math but for its ``\\text{}`` words.

A word counts as English when it occurs in the English text of the kit (the
messages of the two catalogues, notebooks.pot and meia_cnn.pot), in lower case,
and is none of: a Spanish word spelled the same (SPANISH_HOMOGRAPHS), a name, an
identifier, a unit or a format (ALLOWED), a term in parentheses after its
Spanish name ("paso (*stride*)"), or a word in a cited title.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPANISH = ROOT / "notebooks" / "es"
NOTEBOOKS = sorted(p.stem for p in SPANISH.glob("[0-9]*.ipynb"))

#: Spanish words spelled as English ones.
SPANISH_HOMOGRAPHS = {
    "al", "en", "no", "red", "general", "final", "total", "idea", "local", "simple", "diagonal", "error",
    "global", "factor", "vector", "control", "detector", "a", "me", "solo", "once", "son", "dice", "era",
    "fin", "sin", "con", "le", "lo", "mi", "tu", "su", "va", "ve", "de", "e", "o", "y", "u", "real",
    "normal", "original", "manual", "plural", "canal", "central", "visual", "actual", "grave", "base",
    "color", "menu", "radio", "mas", "has", "ha", "he", "digital", "natural", "animal", "cual", "tan",
    "par", "pan", "pie", "come", "ideal", "fatal", "formal", "lineal", "modal", "rural", "usual", "kit",
}

#: Names, identifiers, units and formats the Spanish edition writes as they are.
ALLOWED = {
    # people, papers, places, projects and products
    "adam", "alexnet", "arxiv", "bengio", "bottou", "chelsea", "dumoulin", "et", "fig", "haffner",
    "hinton", "ilsvrc", "imagenet", "jupyter", "jupyterlab", "keras", "krizhevsky", "lecun", "lenet",
    "mnist", "nanodegree", "numpy", "pytorch", "scikit", "simonyan", "skansi", "springer", "sutskever",
    "szegedy", "udacity", "vgg", "vggnet", "visin", "zisserman", "googlenet", "inception", "python",
    "voila", "github", "chromium", "firefox", "safari", "colab", "binder", "matplotlib", "scipy",
    "anywidget", "ipywidgets", "lab", "notebook", "notebooks", "widget", "widgets", "cnn", "cnns",
    # the layers as the code names them (Keras-style), functions, constants
    "relu", "softmax", "tanh", "sobel", "conv", "fc", "dense", "flatten", "maxpool", "logits", "dict",
    "true", "false", "none", "gpu", "gpus", "cpu", "rgb", "rbf", "mac", "macs", "ii", "iii", "iv",
    # the padding modes as the code names them ("valid", "same", "full"); layer names of the papers' tables
    "valid", "same", "full", "dropout", "linear", "log",
    # units and file formats
    "bmp", "gif", "jpeg", "jpg", "png", "tiff", "mb", "kb", "px", "ms", "eff", "bytes",
}

#: Words of explorer fragments whose text does not go through the catalogue yet (notebook: words).
#: Keep it short: each entry is English a Spanish student still sees.
NOT_YET_TRANSLATED: dict[str, set[str]] = {}

#: Common English words, in case a text the catalogues do not hold reaches the screen.
COMMON_ENGLISH = set(
    "the of and to in is it that for with as on by this be are from or at an which you your was were "
    "what when where how than then there these those each more most only also into over under after "
    "before between same other some any all not can will would should could has have had its their "
    "they them we our us if but so do does done make made see show shows shown click press step steps "
    "layer layers kernel kernels stride padding pooling output input parameters parameter accuracy "
    "loss batch epoch train training test classes class image images filter filters weights bias "
    "zeros ones valid same full max average sum product learning rate schedule cosine warmup".split())


# -- what a deck shows ----------------------------------------------------------------------------
class _ShownText(HTMLParser):
    """The text a reader sees in a deck: no code, scripts or styles, math but its words;
    the explorers' saved state read as text."""

    _SKIP_CLASSES = ("jp-InputArea", "jp-InputPrompt", "jp-OutputPrompt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.states: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, starts a skipped region)
        self._skip = 0
        self._script: str | None = None
        self._math = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("br", "img", "hr", "meta", "link", "input", "source", "col", "wbr"):
            return
        skipped = tag in ("style", "code") or any(
            c in (attributes.get("class") or "") for c in self._SKIP_CLASSES)
        if tag == "script":
            kind = attributes.get("type") or ""
            self._script = kind
            skipped = True
        if tag == "math":
            self._math += 1
        self._stack.append((tag, skipped))
        if skipped:
            self._skip += 1

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, skipped = self._stack.pop()
            if skipped:
                self._skip -= 1
            if open_tag == "math":
                self._math -= 1
            if open_tag == tag:
                break
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            if "widget-state" in self._script:
                self.states.append(data)
            return
        if self._skip:
            return
        if self._math and not (self._stack and self._stack[-1][0] == "mtext"):
            return
        self.texts.append(data)


_STATE_SKIP_KEYS = re.compile(r"^_(?!options_labels$)|^(layout|style|tabbable|tooltip_style|kernel|image|pixels|data|"
                              r"src|source|state|format)$")
#: Keys of a widget's state whose text is shown as it is, even a single word.
_SHOWN_KEYS = {"description", "value", "placeholder", "tooltip", "_options_labels", "label", "labels", "title",
               "caption", "text", "words", "readout", "note", "legend", "message", "status", "summary"}


def _state_strings(value, key="", shown=False):
    """Every string of a widget's state a reader may see: the values of the keys that hold
    shown text, and elsewhere the strings that read as text (with a space)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not _STATE_SKIP_KEYS.match(str(k)):
                yield from _state_strings(v, str(k), shown or str(k) in _SHOWN_KEYS)
    elif isinstance(value, list):
        for v in value:
            yield from _state_strings(v, key, shown)
    elif isinstance(value, str):
        if value.startswith(("IPY_MODEL_", "data:", "#", "rgb(", "rgba(", "hsl(")):
            return
        if " " not in value and (len(value) > 30 or not shown):
            return  # an id, a digest, an encoded picture, a setting ("horizontal")
        yield html.unescape(re.sub(r"<[^>]+>", " ", value))


def shown_text(deck_html: str) -> str:
    """All the text of a deck as a student or instructor sees it."""
    parser = _ShownText()
    parser.feed(deck_html)
    parts = list(parser.texts)
    for block in parser.states:
        try:
            state = json.loads(block)
        except ValueError:
            continue
        for model in state.get("state", {}).values():
            if model.get("model_name") in ("LayoutModel",) or str(model.get("model_name")).endswith("StyleModel"):
                continue  # how a widget is laid out, never shown as text
            parts.extend(_state_strings(model.get("state", {})))
    return "\n".join(parts)


# -- which words are English --------------------------------------------------------------------
def _english_vocabulary() -> set[str]:
    from babel.messages.pofile import read_po

    words = set(COMMON_ENGLISH)
    for pot in (ROOT / "meia_cnn" / "locale" / "meia_cnn.pot", ROOT / "notebooks" / "locale" / "notebooks.pot"):
        with pot.open("rb") as f:
            for message in read_po(f):
                for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
                    text = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)|<[^>]+>|\{[^}]*\}", " ", text or "")
                    words |= {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)}
    return words - SPANISH_HOMOGRAPHS - ALLOWED


_IN_PARENTHESES = re.compile(r"\(\s*[*_]?[A-Za-z][A-Za-z \-’'/*_]{0,40}\)")  # "paso (stride)", "(max pooling)"
_CITATION = re.compile(r"[^\n]*\b(1[89]\d\d|20\d\d)[a-z]?\)?[.,][^\n]*")  # a reference with its year


_MARKUP = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|\\[A-Za-z]+|\{[a-z_]+\}", re.S)  # math, LaTeX, {placeholders}


def english_words(text: str, vocabulary: set[str]) -> list[str]:
    """The English words of a shown text, in order (identifiers, names and terms in parentheses aside)."""
    text = _IN_PARENTHESES.sub(" ", _CITATION.sub(" ", _MARKUP.sub(" ", text)))
    found = []
    for match in re.finditer(r"(?<![\w.'/#\\-])([^\W\d_]+)(?![\w(]|[.'/-]\w)", text):
        word = match.group(1)
        if not word.isascii() or re.search(r"[a-z][A-Z]", word):
            continue  # CamelCase: a class or product name
        if word.lower() in vocabulary:
            found.append(word)
    return found


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from tools import slides

    out = tmp_path_factory.mktemp("decks")
    slides.copy_reveal(out)
    return out


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_spanish_notebook_and_its_decks_show_no_english(name, decks):
    from tools import slides

    vocabulary = _english_vocabulary()
    deck, errors = slides.export_notebook(SPANISH / f"{name}.ipynb", decks, editions=("student", "instructor"))
    assert errors == [], errors
    found = {}
    for edition in (deck, decks / "instructor" / deck.name):
        words = set(english_words(shown_text(edition.read_text(encoding="utf-8")), vocabulary))
        words -= NOT_YET_TRANSLATED.get(name, set())
        if words:
            found[edition.relative_to(decks).as_posix()] = sorted(set(words))
    assert found == {}, f"English words shown in {name}: {found}"


# -- the reader and the word test, on hand-made text --------------------------------------------
def test_shown_text_reads_markdown_outputs_and_widget_state_not_code():
    page = ("<html><head><style>.a{color:red}</style><script>var layer = 1;</script></head><body>"
            "<div class='jp-Cell'><div class='jp-InputArea'><pre>print('the output')</pre></div>"
            "<div class='jp-OutputArea'><pre>capa densa</pre></div></div><p>Usa <code>padding</code>.</p>"
            "<p>El núcleo <math><mi>K</mi><mtext>parameters</mtext></math> se desliza.</p>"
            "<script type='application/vnd.jupyter.widget-state+json'>"
            + json.dumps({"state": {"a": {"state": {"_model_name": "X", "description": "Next step",
                                                    "layout": "IPY_MODEL_1", "labels": ["Paso", "<b>kernel</b>"],
                                                    "orientation": "horizontal", "icon": "eye"}}}})
            + "</script></body></html>")
    text = shown_text(page)
    assert "capa densa" in text and "El núcleo" in text and "parameters" in text
    assert "Next step" in text and "kernel" in text and "Paso" in text
    assert "print" not in text and "color" not in text and "var layer" not in text
    assert "padding" not in text and "_model_name" not in text and "IPY_MODEL" not in text
    assert "horizontal" not in text and "eye" not in text


def test_english_words_spots_english_and_spares_names_terms_and_identifiers():
    vocabulary = {"the", "stride", "kernel", "output", "parameters", "step"}
    assert english_words("El paso (stride) y el núcleo (*kernel*) de LeNet.", vocabulary) == []
    assert english_words("mc.output_size y conv2d_output y MaxPool2D y output(3)", vocabulary) == []
    assert english_words("así que el paso", vocabulary | {"as"}) == []
    assert english_words("Step 3 of 9: the output", vocabulary) == ["Step", "the", "output"]
    assert english_words("- LeCun, Y. (1998). The kernel of the stride.", vocabulary) == []
    assert english_words("$K \\times \\text{the}$ y {output} \\times", vocabulary) == []
    assert "the" in _english_vocabulary() and "paso" not in _english_vocabulary()

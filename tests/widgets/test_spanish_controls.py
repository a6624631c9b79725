"""In Spanish, what the explorers' controls offer, the errors they show and the words the page writes.

- Options: every dropdown and row of buttons shows Spanish labels while its
  values (the explorers' arguments, ``controls[...].value``) stay the English
  identifiers; readouts name the option by its label.
- Errors: the core's exceptions stay English, but each error an explorer can
  reach (a kernel typed wrong, a picture that cannot be used) is shown as a
  whole Spanish sentence, and any other core error as a Spanish fallback.
- Words of the page: the Play buttons' accessible names and the upload's
  words are sent from Python in the learner's language; English is the default
  written in the JavaScript too.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import numpy as np
import pytest

import meia_cnn
from meia_cnn import architectures, data, i18n
from meia_cnn import widgets as W
from meia_cnn.errors import KitValueError
from meia_cnn.kernels import KERNEL_PRESETS, parse_kernel
from meia_cnn.widgets._assets import JS_DIR
from meia_cnn.widgets._explorer import UI_WORDS, student_error

from ..conftest import _huge_png_header, _png_bytes, upload
from ..driving import plan
from .test_spanish_shown_by_explorers import english_words

EXPLORERS = sorted(W._EXPLORERS)
#: Labels that are the same in both languages: proper names and a year.
SAME_IN_BOTH = {"LeNet-5 (LeCun et al. 1998)", "GoogLeNet (Szegedy et al. 2014)"}


@pytest.fixture
def spanish():
    meia_cnn.set_language("es")
    yield
    meia_cnn.set_language("en")


def _selections(explorer):
    """The controls that offer options (dropdowns, rows of buttons), but the step slider."""
    return {
        name: c
        for name, c in explorer.controls.items()
        if hasattr(c, "_options_labels") and name != "step" and not hasattr(c, "readout")
    }


# -- options ---------------------------------------------------------------------------------
#: The modules that own options and register their labels when imported.
OWNERS = (
    "meia_cnn.kernels",
    "meia_cnn.data",
    "meia_cnn.architectures",
    "meia_cnn.explain.convolution",
    "meia_cnn.explain.pooling",
    "meia_cnn.explain.stride_padding",
    "meia_cnn.explain.volume",
    "meia_cnn.explain.template_matching",
    "meia_cnn.explain.feature_maps",
)
#: How many options the owners label.
N_OPTIONS = 45


def test_the_owners_register_every_option_label():
    code = (
        "import importlib, meia_cnn.i18n as i18n\n"
        "before = len(i18n.OPTION_LABELS)\n"
        f"for name in {OWNERS!r}:\n"
        "    importlib.import_module(name)\n"
        "print(before, len(i18n.OPTION_LABELS))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", str(N_OPTIONS)]


def test_an_option_keeps_the_label_its_owner_gave():
    importlib.import_module("meia_cnn.explain.pooling")
    with pytest.raises(ValueError, match="option 'max' already has the label 'max', got 'maximum'"):
        i18n.register_option_labels({"maximum": "maximum", "max": "maximum"})
    assert "maximum" not in i18n.OPTION_LABELS  # nothing registered from a refused mapping
    i18n.register_option_labels({"max": "max"})  # the same label again changes nothing
    assert i18n.OPTION_LABELS["max"] == "max"


def test_every_option_label_is_translated_in_the_catalogue(spanish):
    for owner in OWNERS:
        importlib.import_module(owner)
    assert len(i18n.OPTION_LABELS) == N_OPTIONS
    for value, message in i18n.OPTION_LABELS.items():
        label = i18n.option_label(value)
        assert label, value
        if message in SAME_IN_BOTH:
            assert label == message
        else:
            assert label != message, f"{value!r} has no Spanish label"
    assert i18n.option_label("upload: gato.png") == "tu imagen: gato.png"


def test_option_labels_cover_the_kits_identifiers():
    from meia_cnn.explain.pooling import POOLINGS
    from meia_cnn.explain.template_matching import TEMPLATES
    from meia_cnn.widgets.feature_maps import TEST_IMAGES
    from meia_cnn.widgets.stride_padding import PADDINGS
    from meia_cnn.widgets.volume import SOURCES

    wanted = {
        *W.ConvolutionExplorer.MODES,
        *KERNEL_PRESETS,
        "custom",
        *data.SAMPLE_NAMES,
        *POOLINGS,
        *PADDINGS,
        *SOURCES,
        *TEMPLATES,
        TEST_IMAGES,
        *architectures.names(),
    }
    assert wanted <= set(i18n.OPTION_LABELS), wanted - set(i18n.OPTION_LABELS)
    # the networks' English labels are the core's titles, word for word
    for key, title in architectures.titles().items():
        assert i18n.OPTION_LABELS[key] == title


@pytest.mark.parametrize("name", EXPLORERS)
def test_options_show_spanish_labels_and_keep_english_values(spanish, name):
    explorer = getattr(W, name)()
    try:
        for control_name, control in _selections(explorer).items():
            for label, value in zip(control._options_labels, control._options_values):
                if isinstance(value, str):
                    assert value in i18n.OPTION_LABELS or value.startswith(i18n.UPLOAD_PREFIX), (
                        f"{name}.{control_name}: option {value!r} has no label in i18n.OPTION_LABELS"
                    )
                    assert label == i18n.option_label(value)
                    assert label != value, f"{name}.{control_name}: {value!r} shown in English"
        # the values a test or a notebook sets are the English identifiers
        driven = dict(plan(explorer)[0])
        for control_name in _selections(explorer):
            values = driven[control_name]
            assert all(not isinstance(v, str) or v in i18n.OPTION_LABELS for v in values), values
    finally:
        explorer.close()


def test_english_labels_are_the_identifiers():
    explorer = W.ConvolutionExplorer()
    try:
        assert explorer.controls["operation"]._options_labels == ("convolution", "cross-correlation")
        assert explorer.controls["preset"].label == "sobel_x"
        assert explorer.controls["photo"].label == "camera"
    finally:
        explorer.close()
    pool = W.PoolingExplorer()
    try:
        assert pool.controls["pooling"]._options_labels == ("max", "average")
    finally:
        pool.close()


def test_arguments_and_control_values_stay_english_in_spanish(spanish):
    conv = W.ConvolutionExplorer(kernel="gaussian", photo="coins", operation="cross-correlation")
    pool = W.PoolingExplorer(pooling="average", photo="moon")
    stride = W.StridePaddingExplorer(5, 3, padding="same")
    try:
        c = conv.controls
        assert (c["operation"].value, c["preset"].value, c["photo"].value) == ("cross-correlation", "gaussian", "coins")
        assert (c["operation"].label, c["preset"].label, c["photo"].label) == (
            "correlación cruzada",
            "gaussiano",
            "monedas",
        )
        c["operation"].value = "convolution"
        assert c["operation"].label == "convolución" and conv.state.grid.flip
        c["kernel_text"].value = "1 2 1\n2 4 2\n1 2 1"
        assert c["preset"].value == "custom" and c["preset"].label == "personalizado"
        assert (pool.controls["pooling"].label, pool.controls["photo"].label) == ("promedio", "luna")
        pool.controls["pooling"].value = "max"
        assert pool.controls["pooling"].label == "máximo" and pool.state.pooling == "max"
        assert stride.controls["padding"].label == "same (mismo tamaño)"
        assert stride.state.padding == "same"
    finally:
        for e in (conv, pool, stride):
            e.close()


def test_readouts_name_options_by_their_spanish_labels(spanish):
    conv = W.ConvolutionExplorer(photo="astronaut")
    pool = W.PoolingExplorer(photo="checkerboard")
    match = W.TemplateMatchingExplorer(template="digit")
    arch = W.ArchitectureExplorer("lenet5_fc")
    try:
        assert conv.view.scene["photo"]["title"] == "astronauta"
        assert "astronauta" in conv.view.scene["photo"]["label"]
        assert "tablero de ajedrez"[:18] in str(pool.view.scene)
        assert "dígito" in match.readout_text and "digit " not in match.readout_text
        assert "LeNet-5, variante totalmente conectada" in arch.readout_text
        assert "variante totalmente conectada" in arch.view.scene["title"]
        assert arch.controls["name"].label == "LeNet-5, variante totalmente conectada"
    finally:
        for e in (conv, pool, match, arch):
            e.close()


def test_stride_padding_readout_has_no_english_heading(spanish):
    explorer = W.StridePaddingExplorer(5, 3)
    try:
        assert "Ecuación (3)" in explorer.readout_text and "Equation" not in explorer.readout_text
    finally:
        explorer.close()


def _good_png():
    rng = np.random.default_rng(0)
    return _png_bytes((rng.random((40, 60, 3)) * 255).astype(np.uint8))


@pytest.mark.parametrize(
    "name", ["ConvolutionExplorer", "PoolingExplorer", "TemplateMatchingExplorer", "FeatureMapExplorer"]
)
def test_an_upload_is_offered_under_a_spanish_label(spanish, name):
    explorer = getattr(W, name)()
    control = next(c for key, c in explorer.controls.items() if key in ("photo", "template", "source"))
    try:
        upload(explorer.controls["upload"], _good_png(), "mía.png")
        assert control.value == "upload: mía.png"
        assert control.label == "tu imagen: mía.png"
        assert all(label != value for label, value in zip(control._options_labels, control._options_values))
        assert english_words(explorer.readout_text) == []
        upload(explorer.controls["upload"], _good_png(), "otra.png")  # the second replaces the first
        assert [v for v in control._options_values if v.startswith("upload: ")] == ["upload: otra.png"]
    finally:
        explorer.close()


# -- errors ----------------------------------------------------------------------------------
KERNEL_TEXTS = {
    "1 2\n3 4": "El núcleo debe tener 3 filas de 3 números o 5 filas de 5 números; tiene 2 filas.",
    "": "El núcleo debe tener 3 filas de 3 números o 5 filas de 5 números; tiene 0 filas.",
    "1 2 3 4 5 6": "El núcleo debe tener 3 filas de 3 números o 5 filas de 5 números; tiene 1 fila.",
    "1 2 3\n4 5 6\n7 8": "El núcleo debe tener 3 filas de 3 números; la fila 3 tiene 2 números.",
    "1;2;3": "El núcleo debe tener 3 filas de 3 números; la fila 1 tiene 1 número.",
    "a b c\n1 2 3\n4 5 6": "El número 1 de la fila 1 del núcleo, 'a', no es un número",
    "1 2 3\n4 1/0 6\n7 8 9": "El número 2 de la fila 2 del núcleo, '1/0', divide entre cero.",
    "1e308 0 0;0 0 0;0 0 0": "El número 1 de la fila 1 del núcleo es '1e308': cada entrada debe ser un número finito",
    "1" * 50 + " 0 0;0 0 0;0 0 0": "El número 1 de la fila 1 del núcleo tiene 50 caracteres",
    "1 " * 1500: "El texto del núcleo tiene 3,000 caracteres",
}


@pytest.mark.parametrize("text", list(KERNEL_TEXTS), ids=range(len(KERNEL_TEXTS)))
def test_a_kernel_typed_wrong_is_explained_in_spanish(spanish, text):
    with pytest.raises(ValueError):
        parse_kernel(text)  # the core's own message stays English
    explorer = W.ConvolutionExplorer()
    try:
        explorer.controls["kernel_text"].value = text
        error = explorer.error
    finally:
        explorer.close()
    assert error.startswith(KERNEL_TEXTS[text]), error
    assert error.endswith("Se sigue usando el último núcleo válido.")
    assert english_words(error) == [] and not re.search(r"\b(kernel|row|number|rows)\b", error), error


def test_core_messages_stay_english_and_explorers_show_the_sentence_of_their_code():
    with pytest.raises(KitValueError, match="the kernel must be 3 rows of 3 numbers; row 3 has 2 numbers") as info:
        parse_kernel("1 2 3\n4 5 6\n7 8")
    assert (info.value.code, info.value.params) == ("kernel_row_length", {"size": 3, "row": 3, "n": 2})
    explorer = W.ConvolutionExplorer()
    try:
        explorer.controls["kernel_text"].value = "1 2 3\n4 5 6\n7 8"
        assert explorer.error == (
            "The kernel must be 3 rows of 3 numbers; row 3 has 2 numbers. Still using the last good kernel."
        )
    finally:
        explorer.close()


rng = np.random.default_rng(0)
BAD_FILES = {
    "random": rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "empty": b"",
    "huge": _huge_png_header(),
    "flat": _png_bytes(np.full((30, 30), 128, dtype=np.uint8)),
    "thin": _png_bytes(np.zeros((1, 300), dtype=np.uint8)),
}
UPLOADERS = [
    "ConvolutionExplorer",
    "PoolingExplorer",
    "VolumeExplorer",
    "TemplateMatchingExplorer",
    "FeatureMapExplorer",
]
SPANISH_UPLOAD_WORDS = re.compile(r"archivo|imagen|píxeles|plantilla|Se muestra")


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize("name", UPLOADERS)
def test_a_picture_that_cannot_be_used_is_explained_in_spanish(spanish, name, kind):
    explorer = getattr(W, name)()
    try:
        upload(explorer.controls["upload"], BAD_FILES[kind], f"{kind}.png")
        shown = explorer.error or explorer.info  # a flat or thin picture some explorers can show
    finally:
        explorer.close()
    assert shown and SPANISH_UPLOAD_WORDS.search(shown), shown
    assert english_words(shown) == [], shown
    assert not re.search(r"\b(image|upload|file|picture|bytes|header|limit|pixels)\b", shown), shown


def test_an_unforeseen_core_error_becomes_a_spanish_sentence(spanish, monkeypatch):
    import meia_cnn.widgets.stride_padding as sp

    explorer = W.StridePaddingExplorer(5, 3)

    def broken(*args, **kwargs):
        raise ValueError("`dilation` must be odd here, got 2")

    try:
        monkeypatch.setattr(sp, "stride_padding_state", broken)
        explorer.controls["stride"].value = 2
        assert explorer.error == (
            "Este valor no se puede usar aquí: prueba con otro. Se mantiene el último dibujo válido."
        )
    finally:
        explorer.close()


def test_student_error_keeps_the_explorers_own_sentences(spanish):
    explorer = W.StridePaddingExplorer(2, 2)
    try:
        explorer.controls["kernel_size"].value = 3  # the explorer's own sentence: already Spanish
        assert explorer.error.startswith("El núcleo no cabe")
    finally:
        explorer.close()
    assert student_error("Una frase propia.") == "Una frase propia."
    assert student_error(ValueError("`x` must be positive, got -1")).startswith("Este valor no se puede usar")
    try:
        parse_kernel("1 2\n3 4")
    except ValueError as exc:
        assert student_error(exc).startswith("El núcleo debe tener")
        meia_cnn.set_language("en")
        assert student_error(exc) == "The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has 2 rows."
        assert str(exc) == "the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got 2 rows"


# -- words the page writes -------------------------------------------------------------------
def _js_words(name, source):
    body = re.search(name + r" = \{(.*?)\};", source, re.S).group(1)
    return dict(re.findall(r'(\w+): "([^"]*)"', body))


def test_the_pages_english_words_are_the_messages_of_python():
    draw = (JS_DIR / "draw.js").read_text(encoding="utf-8")
    up = (JS_DIR / "upload.js").read_text(encoding="utf-8")
    words = {**_js_words("WORDS", draw), **_js_words("UPLOAD_WORDS", up)}
    assert words == {key: UI_WORDS.english(key) for key in words}
    assert set(words) == set(UI_WORDS) - {"too_large"}
    assert '"Play"' not in draw.replace('play: "Play"', "")  # no other English name in the file


@pytest.mark.parametrize("name", EXPLORERS)
def test_views_carry_the_page_words_in_spanish(spanish, name):
    explorer = getattr(W, name)()
    try:
        words = explorer.view.words
        assert (words["play"], words["pause"], words["stop"], words["repeat"]) == (
            "Reproducir",
            "Pausar",
            "Detener",
            "Repetir",
        )
        assert words["control"] == "Control de reproducción"
        for control in explorer.controls.values():
            if isinstance(control, W._explorer.Upload):
                assert control.words == {"sending": "Enviando {name}…", "bytes": "{n} bytes"}
                assert control.too_large.startswith("{name} pesa {size}")
    finally:
        explorer.close()


def test_views_carry_english_words_by_default():
    explorer = W.PoolingExplorer()
    try:
        assert explorer.view.words["pause"] == "Pause"
        assert explorer.controls["upload"].too_large == UI_WORDS.english("too_large")
    finally:
        explorer.close()


def _control_words(language):
    """Every explorer's control descriptions, tooltips and placeholders, built in ``language``."""
    meia_cnn.set_language(language)
    words = {}
    try:
        for name in EXPLORERS:
            explorer = getattr(W, name)()
            try:
                for key, control in explorer.controls.items():
                    for attr in ("description", "tooltip", "placeholder"):
                        if getattr(control, attr, None):
                            words[(name, key, attr)] = str(getattr(control, attr))
                    for i, tip in enumerate(getattr(control, "tooltips", ()) or ()):
                        words[(name, key, f"tooltip {i}")] = str(tip)
            finally:
                explorer.close()
    finally:
        meia_cnn.set_language("en")
    return words


def test_no_control_keeps_its_english_words_in_spanish():
    english, spanish = _control_words("en"), _control_words("es")
    assert set(english) == set(spanish)
    same = {key: text for key, text in english.items() if spanish[key] == text and re.search(r"[A-Za-z]{3,}", text)}
    assert same == {}, same


def test_an_explorer_imported_in_spanish_speaks_english_after_the_switch():
    """Titles and accessible names are looked up when an explorer is built, not when its module is imported."""
    import subprocess
    import sys

    code = (
        "import meia_cnn; meia_cnn.set_language('es')\n"
        "from meia_cnn.widgets import TransposedConvExplorer, PoolingExplorer\n"
        "meia_cnn.set_language('en')\n"
        "for cls in (TransposedConvExplorer, PoolingExplorer):\n"
        "    viz = cls(); print(viz.view.label); print(viz.controls['upload'].description "
        "if 'upload' in viz.controls else ''); viz.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "Transposed convolution: the flipped kernel sweeping the stretched input",
        "",
        "Pooling: every window of the input, the pooled output, and a photo before and after",
        "Upload image",
    ]

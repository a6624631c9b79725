"""The language switch and the package's gettext catalogue (meia_cnn.i18n).

Spanish answers are the catalogue's, written out here by hand; the compiled
``.mo`` is checked against the ``.po`` it was compiled from.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import meia_cnn
from meia_cnn import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "meia_cnn" / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "meia_cnn.po"
MO = LOCALE / "es" / "LC_MESSAGES" / "meia_cnn.mo"
KEYWORDS = {"lazy_gettext": None, "lazy_ngettext": (1, 2), "ngettext_noop": (1, 2)}


@pytest.fixture(autouse=True)
def _restore_language(monkeypatch):
    """Every test starts with no language set in Python and no MEIA_CNN_LANG."""
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    monkeypatch.setattr(i18n, "_language", None)
    yield


def _catalogue(path):
    with path.open("rb") as f:
        return read_po(f, locale="es")


# -- the switch ------------------------------------------------------------------------
def test_english_by_default():
    assert i18n.get_language() == "en"
    assert i18n.gettext("stride") == "stride"


def test_set_language_is_exported_by_the_package():
    assert meia_cnn.set_language is i18n.set_language
    assert "set_language" in meia_cnn.__all__


def test_set_language_switches_both_ways():
    meia_cnn.set_language("es")
    assert i18n.get_language() == "es"
    assert i18n.gettext("stride") == "paso"
    meia_cnn.set_language("en")
    assert i18n.get_language() == "en"
    assert i18n.gettext("stride") == "stride"


@pytest.mark.parametrize("spelling", ["es", "ES", "es_MX", "es-419", "es_MX.UTF-8", " es "])
def test_locale_spellings_of_spanish(spelling):
    meia_cnn.set_language(spelling)
    assert i18n.get_language() == "es"


@pytest.mark.parametrize("value", ["es", "es_AR.UTF-8"])
def test_environment_variable_chooses_spanish(monkeypatch, value):
    monkeypatch.setenv("MEIA_CNN_LANG", value)
    assert i18n.get_language() == "es"
    assert i18n.gettext("padding") == "relleno"


@pytest.mark.parametrize("value", ["", "fr", "klingon", "C"])
def test_unknown_environment_value_means_english(monkeypatch, value):
    monkeypatch.setenv("MEIA_CNN_LANG", value)
    assert i18n.get_language() == "en"


def test_set_language_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("MEIA_CNN_LANG", "es")
    meia_cnn.set_language("en")
    assert i18n.get_language() == "en"


def test_environment_variable_in_a_fresh_interpreter():
    code = "import meia_cnn.i18n as i; print(i.get_language(), i.gettext('feature map'))"
    env = {"MEIA_CNN_LANG": "es", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    assert out.stdout.strip() == "es mapa de características"


@pytest.mark.parametrize("bad", ["fr", "", "english", "e"])
def test_unsupported_language_is_an_english_error(bad):
    meia_cnn.set_language("es")
    with pytest.raises(ValueError, match=r"`language` must be one of 'en', 'es', got"):
        meia_cnn.set_language(bad)
    assert i18n.get_language() == "es"  # unchanged


def test_language_must_be_a_string():
    with pytest.raises(TypeError, match=r"`language` must be a str .*got int"):
        meia_cnn.set_language(1)  # type: ignore[arg-type]


# -- messages ---------------------------------------------------------------------------
def test_a_message_in_spanish():
    meia_cnn.set_language("es")
    assert i18n.gettext("feature map") == "mapa de características"
    assert i18n._("max pooling") == "agrupamiento máximo"
    assert i18n.gettext("inception module") == "módulo Inception"


def test_untranslated_message_falls_back_to_english():
    meia_cnn.set_language("es")
    assert i18n.gettext("A sentence that is not in the catalogue.") == ("A sentence that is not in the catalogue.")
    assert i18n.ngettext("{n} thing", "{n} things", 2) == "{n} things"


@pytest.mark.parametrize(
    "n,english,spanish",
    [
        (0, "0 filters", "0 filtros"),
        (1, "1 filter", "1 filtro"),
        (2, "2 filters", "2 filtros"),
        (21, "21 filters", "21 filtros"),
        (1797, "1,797 filters", "1797 filtros"),
        (1_000_000, "1,000,000 filters", "1\u202f000\u202f000 filtros"),
    ],
)
def test_plurals(n, english, spanish):
    assert i18n.count_text("filter", n) == english
    meia_cnn.set_language("es")
    assert i18n.count_text("filter", n) == spanish


def test_plural_with_irregular_spanish_form():
    meia_cnn.set_language("es")
    assert i18n.count_text("image", 1) == "1 imagen"
    assert i18n.count_text("image", 3) == "3 imágenes"
    assert i18n.count_text("channel", 3) == "3 canales"


def test_count_text_names_the_unknown_noun():
    with pytest.raises(ValueError, match=r"`what` must be one of .*got 'kernel'"):
        i18n.count_text("kernel", 2)


def test_pgettext_without_translation_is_the_message():
    meia_cnn.set_language("es")
    assert i18n.pgettext("somewhere", "Nothing to translate here") == "Nothing to translate here"


# -- lazy strings -------------------------------------------------------------------------
def test_lazy_string_follows_a_later_switch():
    label = i18n.lazy_gettext("kernel size")  # made before the language is chosen
    assert str(label) == "kernel size"
    meia_cnn.set_language("es")
    assert str(label) == "tamaño del núcleo"
    assert f"{label}: 3" == "tamaño del núcleo: 3"
    assert label + "!" == "tamaño del núcleo!"
    assert label == "tamaño del núcleo"
    assert label.upper() == "TAMAÑO DEL NÚCLEO"
    assert len(label) == len("tamaño del núcleo")


def test_lazy_plural():
    meia_cnn.set_language("es")
    assert i18n.lazy_ngettext("{count} layer", "{count} layers", 1).format(count=1) == "1 capa"
    assert i18n.lazy_ngettext("{count} layer", "{count} layers", 5).format(count=5) == "5 capas"


def test_module_level_terms_translate_when_used():
    assert str(i18n.TERMS["stride"]) == "stride"
    meia_cnn.set_language("es")
    expected = {
        "kernel": "núcleo",
        "stride": "paso",
        "padding": "relleno",
        "feature map": "mapa de características",
        "max pooling": "agrupamiento máximo",
        "inception module": "módulo Inception",
        "cross-correlation": "correlación cruzada",
    }
    assert {k: str(i18n.TERMS[k]) for k in expected} == expected


def test_lazy_string_repr_names_the_english_message():
    assert repr(i18n.lazy_gettext("padding")) == "LazyString('padding')"


# -- exceptions stay English ----------------------------------------------------------------
def test_core_exceptions_stay_english():
    meia_cnn.set_language("es")
    with pytest.raises(ValueError, match=r"`stride` must be >= 1, got 0"):
        meia_cnn.output_size(5, 3, stride=0)
    with pytest.raises(ValueError, match=r"`language` must be one of"):
        meia_cnn.set_language("de")


# -- the catalogue itself ---------------------------------------------------------------------
def test_catalogue_has_no_untranslated_or_fuzzy_message():
    catalogue = _catalogue(PO)
    messages = [m for m in catalogue if m.id]
    assert messages
    untranslated = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogue_passes_babels_checks():
    """`pybabel compile` (in `make messages`) finds no error: every placeholder of a message is in its translation."""
    catalogue = _catalogue(PO)
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalogue.check()]
    assert errors == []


def test_catalogue_holds_every_marked_string_of_the_package():
    """`make messages` was run after the last marked string was added or changed."""
    extracted = {
        (msg[2] if isinstance(msg[2], str) else msg[2][0], msg[4])
        for msg in extract_from_dir(
            str(ROOT / "meia_cnn"), method_map=[("**.py", "python")], keywords={**_default_keywords(), **KEYWORDS}
        )
    }
    catalogue = _catalogue(PO)
    in_po = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalogue if m.id}
    assert extracted - in_po == set(), "run `make messages` and translate the new strings"


def _default_keywords():
    from babel.messages.extract import DEFAULT_KEYWORDS

    return dict(DEFAULT_KEYWORDS)


def test_compiled_catalogue_matches_the_po():
    """The committed .mo was compiled from the committed .po (`make messages`)."""

    def key(m):
        def as_tuple(v):
            return v if isinstance(v, str) else tuple(v)

        return (as_tuple(m.id), m.context), as_tuple(m.string)

    po = dict(key(m) for m in _catalogue(PO) if m.id)
    with MO.open("rb") as f:
        mo = dict(key(m) for m in read_mo(f) if m.id)
    assert mo == po


def test_locale_files_are_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["meia_cnn"]
    rel = [str(p.relative_to(ROOT / "meia_cnn")) for p in (PO, MO)]
    assert all(any(Path(r).match(p) for p in patterns) for r in rel), (rel, patterns)


def test_importing_meia_cnn_stays_light():
    code = (
        "import sys, meia_cnn; meia_cnn.set_language('es');"
        "print(','.join(m for m in ('ipywidgets', 'matplotlib', 'babel') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_plural_forms_header_is_spanish():
    catalogue = _catalogue(PO)
    assert catalogue.locale.language == "es"
    assert catalogue.num_plurals in (2, 3)
    buffer = io.BytesIO(MO.read_bytes())
    assert read_mo(buffer).num_plurals == catalogue.num_plurals


def test_a_mistyped_exercise_id_is_answered_in_the_students_language():
    from meia_cnn.exercises import check

    with i18n.using_language("es"):
        with pytest.raises(
            ValueError, match=r"debe ser uno de .*se recibió '02\.flp' \(¿quisiste decir '02\.flip'\?\)"
        ):
            check("02.flp", 3)
    with i18n.using_language("en"):
        with pytest.raises(ValueError, match=r"must be one of .*got '02\.flp' \(did you mean '02\.flip'\?\)"):
            check("02.flp", 3)

# Two commands for a newcomer:  make lab   and   make test
# Both create (or update) the same virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.meia-cnn-installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-fast docs slides bench clean hub constraints

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "meia-cnn needs Python >= 3.10, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies or the Voila template change (the kit itself is installed editable;
# the template is copied into the environment's share/jupyter).
$(STAMP): pyproject.toml $(wildcard share/jupyter/voila/templates/meia/*) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[course,slides,hub,test]"
	mkdir -p $(VENV)/share/jupyter/voila/templates
	rm -rf $(VENV)/share/jupyter/voila/templates/meia
	cp -R share/jupyter/voila/templates/meia $(VENV)/share/jupyter/voila/templates/meia
	@touch $(STAMP)

## make lab: start JupyterLab on the index notebook
lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_index.ipynb

## make test: unit, widget, doctest, notebook (nbval) and browser tests
test: $(STAMP)
	$(BIN)/python -m pytest tests meia_cnn tools notebooks

## make test-fast: the inner loop: no notebooks, no browser, no builds in other processes, nothing slow
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests meia_cnn tools -m "not (slow or notebook or browser or subprocess)"

## make docs: the API reference, generated from the docstrings, in build/docs/
# (the public modules; tests/project/test_api_docs.py builds the same list)
DOC_MODULES := meia_cnn meia_cnn.arithmetic meia_cnn.ops meia_cnn.data meia_cnn.architectures meia_cnn.nn meia_cnn.nn.learn_kernel meia_cnn.exercises meia_cnn.widgets
docs: $(STAMP)
	$(BIN)/python -m pdoc --docformat numpy -o build/docs $(DOC_MODULES)
	@echo "API reference: build/docs/index.html"

## make slides: every notebook as an offline reveal.js deck in build/slides/ (the Spanish ones in build/slides/es/)
slides: $(STAMP)
	$(BIN)/python -m tools.slides --out build/slides

## make bench: every speed goal, measured, in one table
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build .pytest_cache .hypothesis

# ---- A class on JupyterHub (deploy/README.md) ----------------------------------------
## make hub: a demo JupyterHub on http://127.0.0.1:8765/ with three students and a printed password;
## the students answer section 04's exercises for two minutes, so the class view fills as you watch
## (JupyterHub from the package index, its proxy from npm into build/hub/proxy; Ctrl-C stops it)
hub: $(STAMP)
	$(BIN)/python deploy/demo_hub.py --students 3

## make constraints: deploy/constraints.txt, the versions of the course image pinned from this venv
constraints: $(STAMP)
	$(BIN)/python deploy/constraints.py --write

# ---- Spanish edition -------------------------------------------------------------
# The package's strings: meia_cnn/locale/meia_cnn.pot -> es/LC_MESSAGES/meia_cnn.po -> .mo
# (the .mo is committed; tests/core/test_i18n.py fails when it is older than the .po).
LOCALES := meia_cnn/locale
BABEL_KEYWORDS := -k lazy_gettext -k lazy_ngettext:1,2 -k ngettext_noop:1,2

.PHONY: messages notebooks-es lab-es

## make messages: extract the package's strings, update the Spanish catalogue, compile it
messages: $(STAMP)
	$(BIN)/pybabel --quiet extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-by-file \
	    --project=meia-cnn --version=$$($(BIN)/python -c "import meia_cnn; print(meia_cnn.__version__)") \
	    --copyright-holder="meia-cnn contributors" \
	    -o $(LOCALES)/meia_cnn.pot meia_cnn tools
	$(BIN)/pybabel --quiet update -i $(LOCALES)/meia_cnn.pot -d $(LOCALES) -D meia_cnn -l es \
	    --init-missing --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(LOCALES) -D meia_cnn

## make notebooks-es: notebooks/es/*.ipynb from the English notebooks and notebooks/locale/es
notebooks-es: $(STAMP)
	$(BIN)/python -m tools.translate_notebooks update
	$(BIN)/python -m tools.translate_notebooks build

## make lab-es: JupyterLab in Spanish on the Spanish index (notebooks/es/00_indice.ipynb).
## Lab's own settings for this run live in build/lab-es/settings (your usual settings are untouched).
LAB_ES_SETTINGS := build/lab-es/settings
lab-es: $(STAMP)
	@mkdir -p $(LAB_ES_SETTINGS)/@jupyterlab/translation-extension
	@printf '{"locale": "es_ES"}\n' > $(LAB_ES_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings
	MEIA_CNN_LANG=es $(BIN)/jupyter lab $(ROOT_FLAG) --LabApp.user_settings_dir=$(LAB_ES_SETTINGS) \
	    notebooks/es/00_indice.ipynb

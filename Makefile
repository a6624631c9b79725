# Two commands for a newcomer:  make lab   and   make test
# Both create (or update) the same virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.meia-cnn-installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-fast docs slides bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "meia-cnn needs Python >= 3.10, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change (the kit itself is installed editable).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

## make lab: start JupyterLab on the index notebook
lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_index.ipynb

## make test: unit, widget, doctest, notebook (nbval) and browser tests
test: $(STAMP)
	$(BIN)/python -m pytest tests meia_cnn notebooks

## make test-fast: everything but the notebooks and the browser
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests meia_cnn -m "not browser"

## make docs: the API reference, generated from the docstrings, in build/docs/
# (the public modules; tests/test_api_docs.py builds the same list)
DOC_MODULES := meia_cnn meia_cnn.arithmetic meia_cnn.ops meia_cnn.data meia_cnn.architectures meia_cnn.nn meia_cnn.exercises meia_cnn.widgets
docs: $(STAMP)
	$(BIN)/python -m pdoc --docformat numpy -o build/docs $(DOC_MODULES)
	@echo "API reference: build/docs/index.html"

## make slides: every notebook as an offline reveal.js deck in build/slides/
slides: $(STAMP)
	$(BIN)/python -m meia_cnn.tools.slides --out build/slides

## make bench: every speed goal, measured, in one table
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build .pytest_cache .hypothesis

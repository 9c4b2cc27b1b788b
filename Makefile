# Set-up and entry points. Every install step lives here: a fresh machine needs nothing else.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DELIB := $(VENV)/bin/delib
DATA_DIR ?= data
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
# llama.cpp must be built portable: the native build dies with "Illegal instruction" here.
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
export FORCE_CMAKE := 1

.PHONY: run test test-fast lint bench install install-test sysdeps sysdeps-test clean

# app.py builds the registry and the dense index from corpus/ first when the registry is empty.
run: install sysdeps  ## Start the app (on the embedded defaults)
	$(PY) app.py --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT) --corpus corpus

test: install-test sysdeps-test  ## Run the whole test suite (style first: it takes a second)
	$(VENV)/bin/ruff check assistant tests eval app.py
	$(PY) -m pytest -q

test-fast: install-test  ## The fast subset (no model, OCR, server, browser)
	$(PY) -m pytest -q -m "not slow"

lint: install-test
	$(VENV)/bin/ruff check assistant tests eval app.py

bench: install
	$(PY) eval/bench.py

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# torch is installed first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

# llama-cpp-python compiles from source (~7 min): never from pip's wheel cache, which may hold a
# native build from another machine or an earlier unflagged install.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q --no-cache-dir --no-binary llama-cpp-python 'llama-cpp-python==0.3.36'
	$(PIP) install -q -e '.[test,llm]'
	touch $@

sysdeps: .sysdeps
sysdeps-test: .sysdeps-test

.sysdeps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-fra >/dev/null
	touch $@

.sysdeps-test: .sysdeps
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver libreoffice-writer-nogui >/dev/null
	touch $@

clean:
	rm -rf $(VENV) .sysdeps .sysdeps-test

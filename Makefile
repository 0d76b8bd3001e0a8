# Two commands for a fresh clone (see README):  make run   |   make test
# Both create the virtualenv in .venv at the repo root first, and refresh it when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## Set up, then run the bot: Telegram when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat.
run: $(STAMP)
	$(VENV)/bin/summitbot run

## Set up, then run every check: curated data, lint, types, tests (eval floors, fuzzing, end to end).
test: $(STAMP)
	$(VENV)/bin/summitbot validate
	@# Embed the knowledge base into the test run's cache once, before any test's time limit starts (~1 min on a new machine).
	SUMMITBOT_EMBEDDING_CACHE=.cache/test-embeddings.sqlite3 $(VENV)/bin/summitbot ask "hello" > /dev/null
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/mypy
	@# Four worker processes (pytest-xdist) on two cores: most of a test's time is waiting (loopback HTTP, paced
	@# replies, bot subprocesses), so four overlap it (measured here: -n 2 5 min 17 s, -n 4 2 min 56 s, -n 6 no
	@# better); each test is handed to whichever worker is free. Every test has its own fake Bot API port,
	@# database under tmp_path and bot processes.
	$(VENV)/bin/python -m pytest -q -n 4 --dist worksteal

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

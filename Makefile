.DEFAULT_GOAL := help
VENV ?= .venv
BIN := $(VENV)/bin

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	python3 -m venv $(VENV)

install: $(BIN)/python ## install rectify with test and dev tools
	$(BIN)/pip install -e '.[dev]'

fmt: ## let ruff fix what it can (imports, upgrades); the tree is not run through a formatter
	$(BIN)/ruff check --fix .

lint: ## ruff
	$(BIN)/ruff check .

typecheck: ## mypy --strict
	$(BIN)/mypy

test: ## the whole test suite (starts its own nats-server)
	$(BIN)/pytest

check: lint typecheck test ## everything CI runs

demo: ## run rectify with a sample campaign
	$(BIN)/rectify demo

bench: ## intake benchmark against raw JetStream
	$(BIN)/python -m benchmarks.intake

.PHONY: help install fmt lint typecheck test check demo bench

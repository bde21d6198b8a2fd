# MergeLab: `make run` installs, builds and opens the explorer; `make test` installs,
# builds and runs every test (plus the engine, parser and CLI tests once more under ASan + UBSan).
BUILD      ?= build
ASAN_BUILD ?= build-asan
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS       ?= $(shell nproc)
ARGS       ?=
# ccache when it is installed (a reused machine then rebuilds from its cache; a clean one loses nothing).
# CMake reads this variable when it first configures a build directory; CMAKE_CXX_COMPILER_LAUNCHER=
# (empty) turns it off.
ifeq ($(origin CMAKE_CXX_COMPILER_LAUNCHER),undefined)
  ifneq ($(shell command -v ccache 2>/dev/null),)
    export CMAKE_CXX_COMPILER_LAUNCHER := ccache
  endif
endif

.PHONY: all deps configure build run test test-fast test-asan asan-build asan-configure test-asan-run test-asan-all bench clean help

all: build

help:
	@echo "make run    install dependencies, build, open the explorer (ARGS='...' passes arguments)"
	@echo "make test   install dependencies, build, run every test (release build; ASan/UBSan subset; brief fuzzing)"
	@echo "make test-asan-all  build and run every unit and CLI test under ASan + UBSan"
	@echo "make bench  build and run the benchmarks"
	@echo "make fuzz   fuzz every parser (7 libFuzzer targets) for FUZZ_LONG seconds each (default 600)"
	@echo "make clean  remove the build directories"

deps:
	@[ -n "$(DEPS_DONE)" ] || ./third_party/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./third_party/run-gui.sh ./$(BUILD)/app/mergelab $(ARGS)

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The sanitizer pass builds the engine, the CLI and the tests labelled "asan" at -O1: the unit tests of
# the parsers, checkpoint I/O, the engine, recipes and the LM evaluator, and the CLI tests that feed hostile
# or unusual files (tests/CMakeLists.txt lists them). `make test-asan-all` runs every unit and CLI test under
# the sanitizers. The GUI end-to-end tests run in the release build: software OpenGL under ASan is too
# slow for CI.
asan-configure: deps
	@cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
	  -DMERGELAB_SANITIZE=ON -DMERGELAB_GUI=OFF -DMERGELAB_BENCH=OFF -DMERGELAB_FUZZ=OFF >/dev/null
asan-build: asan-configure
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target asan_subset
# The tinylm metric checks run one forward pass per model through the same code: under the sanitizers the
# base and a LoRA adapter stand for all eleven (each takes about 45 s there); the release build runs them all.
ASAN_EXCLUDE ?= ExpectedEval.ReproducesEveryMetric/(ft_|diffinit_|task_arithmetic|ties|linear|lora_python_applied)
test-asan-run:
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -L asan -E '$(ASAN_EXCLUDE)'
test-asan-all: asan-configure
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE gui
test-asan: asan-build
	@$(MAKE) --no-print-directory test-asan-run

# Every phase above, timed (.ci/phases.sh): the sanitizer and fuzzer builds compile beside the release tests.
test:
	@MAKE="$(MAKE)" ./.ci/phases.sh

bench: build
	@set -e; for b in $(BUILD)/tests/*_bench; do echo "== $$b"; $$b --benchmark_counters_tabular=true; done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# libFuzzer targets, one per parser of untrusted input, built with clang in their own build dir.
# `make test` runs each for FUZZ_TIME seconds (8 s x 7 targets, about a minute); `make fuzz` runs each for
# FUZZ_LONG seconds. Crashing inputs found once are kept in tests/fuzz/regressions/<target>/ and replayed first.
FUZZ_BUILD   ?= build-fuzz
FUZZ_TIME    ?= 8
FUZZ_TARGETS := safetensors mergekit_yaml scene adapter_config csv jsonl tokenizer
.PHONY: fuzz-build test-fuzz fuzz
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_COMPILER=clang++ \
	  -DMERGELAB_FUZZ=ON -DMERGELAB_GUI=OFF -DMERGELAB_BENCH=OFF -DMERGELAB_SANITIZE=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
test-fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do ./tests/fuzz/run.sh $$t $(FUZZ_BUILD) $(FUZZ_TIME); done
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do ./tests/fuzz/run.sh $$t $(FUZZ_BUILD) $(or $(FUZZ_LONG),600); done

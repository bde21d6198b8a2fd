# MergeLab: `make run` installs, builds and opens the explorer; `make test` installs,
# builds and runs every test (plus the whole suite once more under ASan + UBSan).
BUILD      ?= build
ASAN_BUILD ?= build-asan
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS       ?= $(shell nproc)
ARGS       ?=

.PHONY: all deps configure build run test test-fast test-asan bench clean help

all: build

help:
	@echo "make run    install dependencies, build, open the explorer (ARGS='...' passes arguments)"
	@echo "make test   install dependencies, build, run every test (release + ASan/UBSan builds)"
	@echo "make bench  build and run the benchmarks"
	@echo "make clean  remove the build directories"

deps:
	@./third_party/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./third_party/run-gui.sh ./$(BUILD)/app/mergelab $(ARGS)

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The sanitizer pass builds the engine, the CLI and every unit/CLI test at -O1 (the GUI end-to-end
# tests run in the release build: software OpenGL under ASan is too slow for CI).
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
	  -DMERGELAB_SANITIZE=ON -DMERGELAB_GUI=OFF -DMERGELAB_BENCH=OFF -DMERGELAB_FUZZ=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE gui

test: test-fast test-asan test-fuzz

bench: build
	@set -e; for b in $(BUILD)/tests/*_bench; do echo "== $$b"; $$b --benchmark_counters_tabular=true; done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# libFuzzer target for the safetensors parser, built with clang in its own build dir.
# `make test` runs it briefly (FUZZ_TIME seconds); `make fuzz` runs it longer.
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 25
.PHONY: fuzz-build test-fuzz fuzz
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DMERGELAB_FUZZ=ON -DMERGELAB_GUI=OFF -DMERGELAB_BENCH=OFF -DMERGELAB_SANITIZE=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target safetensors_fuzz
test-fuzz: fuzz-build
	@./tests/fuzz/run.sh $(FUZZ_BUILD)/tests/safetensors_fuzz $(FUZZ_TIME)
fuzz: fuzz-build
	@./tests/fuzz/run.sh $(FUZZ_BUILD)/tests/safetensors_fuzz $(or $(FUZZ_LONG),600)

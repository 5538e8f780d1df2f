# tide - the commands people type. CMake does the building; this wraps it.
#   make        build (RelWithDebInfo) into build/
#   make test   build, run every test under ctest, then again under
#               ASan+UBSan (build-asan/), then the core, backend and
#               async tests under Valgrind
#   make run    build and run the flagship example
#   make bench  run the benchmarks against their peers (build-bench/)
#   make install PREFIX=/usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build test test-fast test-asan test-valgrind run bench install clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DTIDE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

test-valgrind: build
	scripts/valgrind-tests.sh $(BUILD)

test: test-fast test-asan test-valgrind

run: build
	$(BUILD)/examples/tour

bench:
	@scripts/deps.sh bench
	bench/run.sh

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-bench

# tide - the commands people type. CMake does the building; this wraps it.
#   make        build (RelWithDebInfo) into build/
#   make test   build, run every test under ctest, then again under
#               ASan+UBSan (build-asan/), then the unit tests and
#               conformance cases under Valgrind
#   make run    build and run the flagship example
#   make bench  run the benchmarks against their peers (build-bench/)
#   make test-aarch64  cross-build for aarch64 (build-aarch64/) and run
#               every test under qemu-aarch64; not part of `make test`
#   make fuzz   build the libFuzzer targets with clang (build-fuzz/) and run
#               each for FUZZ_SECONDS (60); see docs/HTTP_PARSER.md
#   make install PREFIX=/usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
AARCH64_BUILD ?= build-aarch64
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build test test-fast test-asan test-valgrind test-aarch64 fuzz run bench install clean

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

# The aarch64 context switch and counter clock, checked under user-mode
# emulation (see docs/TESTING.md). Conformance's Node side runs natively.
test-aarch64:
	@scripts/deps.sh aarch64
	cmake -S . -B $(AARCH64_BUILD) $(GENERATOR) \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-linux-gnu.cmake \
	  -DTIDE_BUILD_BENCH=OFF -DTIDE_BUILD_EXAMPLES=OFF
	cmake --build $(AARCH64_BUILD) -j $(JOBS)
	ctest --test-dir $(AARCH64_BUILD) --output-on-failure -j $(JOBS)

# Every fuzz/fuzz_<name>.c under libFuzzer with ASan+UBSan, for
# FUZZ_SECONDS each; not part of `make test` (which replays the corpora).
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCMAKE_C_COMPILER=clang -DTIDE_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIDE_BUILD_BENCH=OFF -DTIDE_BUILD_EXAMPLES=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target tide_fuzzers
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

run: build
	$(BUILD)/examples/tour

bench:
	@scripts/deps.sh bench
	bench/run.sh

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(AARCH64_BUILD) $(FUZZ_BUILD) build-bench

# Thin wrapper over CMakePresets.json (STYLE habit 13): every target below is a
# preset, so flags live in exactly one place. Build dirs: build/<preset>.
#
#   make test          deps + dev workflow (configure, build, all ctest labels)
#   make demo          deps + build and run examples/demo.cpp
#   make clang         dev-clang workflow (unit, example, compile_fail)
#   make asan | tsan   sanitizer workflows
#   make model         Relacy model tests
#   make bench         bench/compare/run: sluice vs Tokio, Go, Asio, flume, crossbeam, async-channel,
#                      3 rounds (< 10 min); writes docs/benchmarks.md's generated section + docs/img/
#   make bench-quick   the same, 1 round, small N (smoke); report in build/bench/
#   make bench-micro   Google Benchmark micro benches (bench/*.cpp);  make bench-redis  vs redis-server
#   make fuzz          build libFuzzer targets (clang)
#   make fuzz-run      build them, run each FUZZ_SECONDS (default 60) on a scratch copy of its corpus
#   make format        clang-format -i on our sources;  make format-check  (CI)
#   make docs          API reference with Doxygen (docs/Doxyfile) into build/docs/html; any
#                      warning (e.g. an undocumented public entity) fails it
#   make clean         rm -rf build/
#
# Extra ctest arguments: make test CTEST_ARGS='-R mpsc'   (uses the dev test preset)

CMAKE       ?= cmake
CTEST       ?= ctest
# Build and ctest parallelism.
JOBS        ?= 2
CLANG_FORMAT ?= clang-format-14
DOXYGEN     ?= doxygen
CTEST_ARGS  ?=
BENCH_ARGS  ?= --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
# Extra bench/compare/run arguments, e.g. COMPARE_ARGS='--workloads @mpsc --rounds 5'
COMPARE_ARGS ?=
# Seconds each fuzz target runs in `make fuzz-run`.
FUZZ_SECONDS ?= 60

# Source trees that clang-format owns; build/target/CMakeFiles dirs inside them are skipped.
FORMAT_DIRS := include src tests examples bench fuzz mini_redis
FORMAT_FILES = $(shell find $(FORMAT_DIRS) \( -name build -o -name target -o -name CMakeFiles \) -prune -o \
                 -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' -o -name '*.cc' \) -print 2>/dev/null)

.PHONY: all deps bench-deps test demo clang asan tsan model bench bench-quick bench-micro bench-redis release fuzz fuzz-run format format-check docs clean

all: test

deps:
	@scripts/install-deps.sh

# Generic: make configure-<preset> / make build-<preset>
configure-%: deps
	$(CMAKE) --preset $*

build-%: configure-%
	$(CMAKE) --build --preset $* -j $(JOBS)

test: build-dev
	$(CTEST) --preset dev -j $(JOBS) $(CTEST_ARGS)

demo: configure-dev
	@test -f examples/demo.cpp || { echo "demo: examples/demo.cpp does not exist yet"; exit 1; }
	$(CMAKE) --build --preset dev -j $(JOBS) --target demo
	./build/dev/examples/demo

clang: build-dev-clang
	$(CTEST) --preset dev-clang -j $(JOBS) $(CTEST_ARGS)

asan: build-asan
	$(CTEST) --preset asan -j $(JOBS) $(CTEST_ARGS)

tsan: build-tsan
	$(CTEST) --preset tsan -j $(JOBS) $(CTEST_ARGS)

model: build-model
	$(CTEST) --preset model -j $(JOBS) $(CTEST_ARGS)

release: build-release

bench-deps:
	@scripts/install-deps.sh --bench

# The side-by-side comparison (issue 6): every workload, every peer alternated, 3 rounds;
# rewrites the generated section of docs/benchmarks.md and the plots in docs/img/.
bench: bench-deps
	BENCH_COMMAND="make bench" bench/compare/run $(COMPARE_ARGS) --doc docs/benchmarks.md --plots docs/img

# Smoke run of the same: 1 round, small N; report and plots in build/bench/ (docs untouched).
bench-quick: bench-deps
	@mkdir -p build/bench
	BENCH_COMMAND="make bench-quick" bench/compare/run --quick $(COMPARE_ARGS) \
	  --out build/bench/quick.md --plots build/bench

# Google Benchmark micro benches of sluice alone (bench/*.cpp).
bench-micro: build-release
	build/release/bench/sluice_bench $(BENCH_ARGS)

# mini-redis-server vs redis-server under redis-benchmark, and the client designs.
bench-redis: bench-deps build-release
	bench/compare/redis/run

fuzz: build-fuzz

# Only the fuzz targets (and what they link), not every target of the preset.
fuzz-run: configure-fuzz
	$(CMAKE) --build --preset fuzz -j $(JOBS) --target sluice_fuzzers
	scripts/fuzz-run.sh $(FUZZ_SECONDS)

format:
	@if [ -n "$(FORMAT_FILES)" ]; then $(CLANG_FORMAT) -i $(FORMAT_FILES); fi

format-check:
	@if [ -n "$(FORMAT_FILES)" ]; then \
	  $(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES) && \
	  echo "format-check: $(words $(FORMAT_FILES)) files OK"; \
	else echo "format-check: no files"; fi

# Doxygen writes its warnings to build/docs/doxygen-warnings.log (WARN_LOGFILE) and exits
# non-zero if there was any (WARN_AS_ERROR); print the log either way so they show up here.
docs: deps
	@rm -rf build/docs/html build/docs/doxygen-warnings.log && mkdir -p build/docs
	@rc=0; $(DOXYGEN) docs/Doxyfile || rc=$$?; \
	if [ -s build/docs/doxygen-warnings.log ]; then cat build/docs/doxygen-warnings.log; fi; \
	if [ $$rc -ne 0 ]; then echo "docs: doxygen failed (exit $$rc)"; exit $$rc; fi; \
	echo "docs: build/docs/html/index.html"

clean:
	rm -rf build

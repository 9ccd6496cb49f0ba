# All sluice cache options in one place. Presets (CMakePresets.json) set them;
# nobody should need -D flags by hand.

# Defaults that follow fmt/stdexec: tests, examples, benches and install rules
# are on only when sluice is the top-level project (not via add_subdirectory).
option(SLUICE_BUILD_TESTS "Build unit/stress/integration/compile-fail tests" ${PROJECT_IS_TOP_LEVEL})
option(SLUICE_BUILD_EXAMPLES "Build examples/ (and their expected-output tests)" ${PROJECT_IS_TOP_LEVEL})
option(SLUICE_BUILD_BENCH "Build bench/ (Google Benchmark)" ${PROJECT_IS_TOP_LEVEL})
option(SLUICE_INSTALL "Generate install rules, CMake package and sluice.pc" ${PROJECT_IS_TOP_LEVEL})
option(SLUICE_HEADER_CHECK "Compile every public header alone (STYLE habit 2)" ${PROJECT_IS_TOP_LEVEL})

# Finer test switches (only meaningful with SLUICE_BUILD_TESTS).
option(SLUICE_STRESS_TESTS "Build tests/stress (label: stress)" ON)
option(SLUICE_INTEGRATION_TESTS "Build tests/integration (label: integration)" ON)
option(SLUICE_CONSUMER_TESTS "Register find_package/add_subdirectory/pkg-config consumer tests (label: consumer)" OFF)

# Relacy model tests (tests/model/*.cpp, each with its own main). Never mixed
# with sanitizers; the `model` preset turns everything else off.
option(SLUICE_MODEL_TESTS "Build Relacy model tests (label: model)" OFF)

# libFuzzer targets (clang only; `fuzz` preset).
option(SLUICE_FUZZ "Build libFuzzer targets from fuzz/" OFF)

option(SLUICE_WERROR "Treat warnings as errors in sluice's own targets" OFF)

set(SLUICE_SANITIZE "" CACHE STRING
    "Comma-separated -fsanitize= list for every target in this build (e.g. address,undefined or thread)")

if(SLUICE_MODEL_TESTS AND SLUICE_SANITIZE)
  message(FATAL_ERROR "SLUICE_MODEL_TESTS must not be combined with SLUICE_SANITIZE (STYLE habit 7)")
endif()

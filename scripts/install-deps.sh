#!/usr/bin/env bash
# Install the Debian packages sluice needs, only those missing.
# The package list lives here and only here: add yours to PACKAGES
# (e.g. redis-server for tests/integration).
#
# Usage: scripts/install-deps.sh           # install what is missing (needs root or sudo)
#        scripts/install-deps.sh --check   # exit 1 and list what is missing, install nothing
#        scripts/install-deps.sh --bench   # also the peers of bench/compare (Tokio, flume, crossbeam,
#                                          # async-channel sources, Go, Asio) and matplotlib
set -euo pipefail

PACKAGES=(
  cmake
  ninja-build
  make
  g++
  clang-14
  libclang-rt-14-dev   # sanitizer / libFuzzer runtimes for clang
  clang-format-14
  doxygen             # make docs: the API reference (docs/Doxyfile)
  pkg-config
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  relacy-dev
  redis-server        # tests/integration: a real Redis to test mini_redis against (+ redis-cli,
                      # redis-benchmark from redis-tools)
)

# Peers for bench/compare (make bench): not needed to build or test sluice.
BENCH_PACKAGES=(
  librust-tokio-dev   # Tokio 1.24 source; cargo builds it offline from /usr/share/cargo/registry
  librust-flume-dev               # the Rust channels Tokio users switch to, same registry
  librust-crossbeam-channel-dev
  librust-async-channel-dev
  cargo
  golang-go
  libasio-dev
  python3-matplotlib  # the plots of `make bench` (bench/compare/run runs /usr/bin/python3)
)

check_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    *) echo "install-deps: unknown argument $arg" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [[ $check_only -eq 1 ]]; then
  exit 1
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"

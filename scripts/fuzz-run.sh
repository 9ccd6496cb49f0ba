#!/usr/bin/env bash
# Runs every libFuzzer target of the `fuzz` preset (build/fuzz/fuzz/fuzz_<stem>) for a fixed
# time on a scratch copy of its seed corpus (fuzz/corpus/<stem>/), with fuzz/<stem>.dict when
# there is one. New inputs and crash reproducers go to build/fuzz/run/<stem>/, so the
# repository stays clean; copy a reproducer into fuzz/corpus/<stem>/ once its bug is fixed.
#
# Usage: scripts/fuzz-run.sh [seconds per target]     (make fuzz-run FUZZ_SECONDS=60)
# Exit status: non-zero if any target found a failure (or none was built).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
bin_dir=build/fuzz/fuzz
run_root=build/fuzz/run

shopt -s nullglob
targets=()
for bin in "$bin_dir"/fuzz_*; do
  [[ -f $bin && -x $bin ]] && targets+=("$bin")
done
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz-run: no fuzz targets in $bin_dir (build them with: make fuzz)" >&2
  exit 1
fi

failed=()
for bin in "${targets[@]}"; do
  stem=${bin##*/fuzz_}
  work=$run_root/$stem
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d fuzz/corpus/$stem ]]; then
    cp -R "fuzz/corpus/$stem/." "$work/corpus/"
  fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/artifacts/")
  if [[ -f fuzz/$stem.dict ]]; then
    args+=(-dict="fuzz/$stem.dict")
  fi
  echo "fuzz-run: $stem for ${seconds}s on $(ls "$work/corpus" | wc -l) seed inputs"
  if "$bin" "${args[@]}" "$work/corpus"; then
    echo "fuzz-run: $stem ok ($(ls "$work/corpus" | wc -l) inputs in its corpus now)"
  else
    echo "fuzz-run: $stem FAILED; reproducers in $work/artifacts/:" >&2
    ls -l "$work/artifacts" >&2 || true
    failed+=("$stem")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz-run: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-run: ${#targets[@]} target(s) ran ${seconds}s each without a failure"

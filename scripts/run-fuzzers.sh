#!/usr/bin/env bash
# Runs every libFuzzer target (*_fuzz) in DIR for SECONDS each, FUZZ_JOBS of them at once (default: one
# per core), on a temporary copy of its seed corpus (fuzz/corpus/<target without _fuzz>/), so the
# repository is never modified. Fails when a target crashes, leaks, runs out of memory or takes longer
# than FUZZ_TIMEOUT seconds (default 30) on one input; the reproducer is kept in DIR/artifacts/<target>/
# (reproduce: DIR/<target> FILE).
#   scripts/run-fuzzers.sh build/clang/fuzz 120      (make fuzz FUZZ_SECONDS=120)
set -euo pipefail

if [[ $# -ne 2 || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 FUZZER_DIR SECONDS" >&2
  exit 2
fi
if [[ ! -d "$1" ]]; then
  echo "$1: no such directory: build the clang preset first (make clang)" >&2
  exit 2
fi
dir=$(cd "$1" && pwd)
seconds=$2
timeout=${FUZZ_TIMEOUT:-30}
corpora="$(cd "$(dirname "$0")/.." && pwd)/fuzz/corpus"

targets=()
for f in "$dir"/*_fuzz; do
  [[ -f "$f" && -x "$f" ]] && targets+=("$f")
done
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "no *_fuzz executable in $dir: build the clang preset first (make clang)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/carnet-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# One target: its report goes to $work/NAME.out, its exit status to $work/NAME.status.
fuzz_one() {
  local target=$1 name seeds corpus artifacts log status=0
  name=$(basename "$target")
  seeds="$corpora/${name%_fuzz}"
  corpus="$work/$name"
  mkdir -p "$corpus"
  if [[ -d "$seeds" ]]; then
    cp -R "$seeds/." "$corpus/"
  else
    echo "warning: $name has no seed corpus ($seeds)"
  fi
  artifacts="$dir/artifacts/$name"
  rm -rf "$artifacts"  # only this run's reproducers
  mkdir -p "$artifacts"
  log="$work/$name.log"
  echo "== $name: ${seconds}s, $(find "$corpus" -type f | wc -l) seed(s)"
  if "$target" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    grep -E '^Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$log" || true
    echo "   corpus grew to $(find "$corpus" -type f | wc -l) file(s) (in a temporary copy, discarded)"
  else
    status=1
    echo "!! $name FAILED:"
    # The report's head (what happened, the first frames) and its summary, not pages of frames.
    start=$(grep -n -m1 -E '==[0-9]+==ERROR|ALARM: working on the last Unit|deadly signal|out-of-memory|ERROR: libFuzzer' \
      "$log" | cut -d: -f1 || true)
    if [[ -n "$start" ]]; then sed -n "${start},$((start + 30))p" "$log"; else tail -n 30 "$log"; fi
    grep -E '^SUMMARY|Test unit written|^stat::number_of_executed_units' "$log" || true
    echo "!! reproducer(s) kept in $artifacts (replay: $target FILE):"
    ls -l "$artifacts"
  fi
  echo "$status" >"$work/$name.status"
}

# FUZZ_JOBS targets at once (default: one per core); the reports are printed in the targets' order.
jobs=${FUZZ_JOBS:-$(nproc)}
running=0
for target in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$target" >"$work/$(basename "$target").out" 2>&1 &
  running=$((running + 1))
done
wait || true
status=0
for target in "${targets[@]}"; do
  name=$(basename "$target")
  cat "$work/$name.out"
  [[ "$(cat "$work/$name.status" 2>/dev/null)" == 0 ]] || status=1
done
exit "$status"

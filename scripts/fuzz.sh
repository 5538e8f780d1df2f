#!/bin/sh
# scripts/fuzz.sh BUILD SECONDS [NAME...] - run each libFuzzer target of
# BUILD (built with -DTIDE_FUZZ=ON) for SECONDS, at low priority. New
# inputs go to BUILD/fuzz/found/<name>/ (the seeds in fuzz/corpus/<name>/
# are read, never written); a crash leaves its input as
# BUILD/fuzz/<name>-crash-* and fails the run. Copy small, interesting
# finds into fuzz/corpus/<name>/ so every `make test` replays them.
set -eu
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
    set -- $(for f in "$here"/fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
fi
status=0
for name in "$@"; do
    bin=$build/fuzz/fuzz_$name
    found=$build/fuzz/found/$name
    mkdir -p "$found" "$here/fuzz/corpus/$name"
    echo "fuzz: $name for $seconds s"
    if ! nice -n 10 "$bin" -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 \
        -artifact_prefix="$build/fuzz/$name-" "$found" "$here/fuzz/corpus/$name" \
        >"$build/fuzz/$name.log" 2>&1; then
        tail -n 40 "$build/fuzz/$name.log"
        echo "fuzz: $name FAILED (input in $build/fuzz/$name-*)"
        status=1
    else
        grep -E "^stat::number_of_executed_units|^Done|cov:" "$build/fuzz/$name.log" | tail -n 3
    fi
done
exit $status

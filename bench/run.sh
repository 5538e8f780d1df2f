#!/bin/sh
# bench/run.sh [NAME...] - build every benchmark in release mode (build-bench/)
# and run tide and each peer found on this machine, one after the other, in
# one run, so the figures are comparable. With names (immediate-chain,
# timers, tick-microtask, idle-loop, fiber-switch, promise, emitter,
# stream-pipeline, echo, udp-burst, http), only those. Prints the programs' own RESULT lines, then
# a summary of tide's ratio to each peer.
#
# Sizes can be shrunk for a smoke run through the programs' environment
# variables (BENCH_IMMEDIATES, BENCH_TIMERS, BENCH_TICKS, BENCH_IDLE_SECONDS,
# BENCH_SWITCHES, BENCH_SPAWNS, BENCH_PROMISES, BENCH_EMITS, BENCH_STREAM_MIB,
# BENCH_DATAGRAMS, BENCH_HTTP_SECONDS, BENCH_HTTP_ROUNDS).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_BUILD:-$src/build-bench}
generator=
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"

# shellcheck disable=SC2086
cmake -S "$src" -B "$out" $generator -DCMAKE_BUILD_TYPE=Release \
    -DTIDE_BUILD_BENCH=ON -DTIDE_BUILD_TESTS=OFF -DTIDE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$out" --target bench-programs -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

node=$(command -v node || command -v nodejs || true)
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# run_one NAME [ENV...]: every implementation of bench NAME, C then Node.
run_one() {
    name=$1
    shift
    # A benchmark with its own driver (servers and a client) runs it.
    if [ -x "$src/bench/$name/run.sh" ]; then
        env "$@" "$src/bench/$name/run.sh" "$out/bench" "$node" | tee -a "$results"
        return
    fi
    for impl in tide libuv libev libevent ucontext minimal; do
        prog=$out/bench/bench_${name}_$impl
        [ -x "$prog" ] || continue
        env "$@" "$prog" | tee -a "$results"
    done
    if [ -n "$node" ] && [ -f "$src/bench/$name/node.js" ]; then
        env "$@" "$node" "$src/bench/$name/node.js" | tee -a "$results"
    fi
}

if [ $# -eq 0 ]; then
    set -- immediate-chain timers tick-microtask idle-loop fiber-switch promise emitter stream-pipeline echo \
        udp-burst http
fi
echo "# tide benchmarks, $(date -u +%Y-%m-%d), $(uname -srm), $(nproc) cpus"
for name in "$@"; do
    if [ ! -d "$src/bench/$name" ] || [ "$name" = common ]; then
        echo "bench/run.sh: no benchmark named $name" >&2
        exit 2
    fi
    echo "## $name"
    run_one "$name"
    # The immediate chain again with one watched, never-ready fd: a real
    # program always has one, and then every poll asks the kernel.
    [ "$name" = immediate-chain ] && run_one "$name" BENCH_WITH_FD=1
done

# Summary: for each benchmark, how many times faster tide is than each peer
# (for times, lower is better and the ratio is peer / tide; for rates, the
# units ending in /s such as MiB/s or req/s, higher is better and the ratio
# is tide / peer; so are requests per CPU-second, req/cpu-s).
echo "## tide vs peers (how many times faster tide is, higher is better for tide)"
awk '$1 == "RESULT" { v[$2, $3] = $4; u[$2] = $5; b[$2] = 1; i[$3] = 1 }
     END {
       for (bench in b) {
         if (!((bench, "tide") in v) || v[bench, "tide"] == 0) continue
         rate = u[bench] ~ /\/(cpu-)?s$/
         line = bench ":"
         for (impl in i)
           if (impl != "tide" && (bench, impl) in v && v[bench, impl] != 0)
             line = line sprintf(" %s %.2fx", impl,
                                 rate ? v[bench, "tide"] / v[bench, impl] : v[bench, impl] / v[bench, "tide"])
         print line
       }
     }' "$results" | sort

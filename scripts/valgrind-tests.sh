#!/bin/sh
# scripts/valgrind-tests.sh BUILD - run the core, backend, async, events and io tests
# and every conformance case under Valgrind's memcheck; any error or leak
# fails the run, and a case must still print exactly its case.expected
# (and end with its case.status). Fiber stacks are registered with Valgrind
# (VALGRIND_STACK_REGISTER), so switches between them are not taken for
# huge stack frames.
set -eu
# The stream soak pipes 10 million chunks; a fiftieth of that is enough to
# let Valgrind see every path it takes.
TIDE_SOAK_CHUNKS=${TIDE_SOAK_CHUNKS:-200000}
export TIDE_SOAK_CHUNKS
# The child-process test's large output: 4 MiB instead of 48 under Valgrind.
# Children are not traced (--trace-children=no, the default): they exec.
TIDE_PROCESS_BYTES=${TIDE_PROCESS_BYTES:-4194304}
export TIDE_PROCESS_BYTES
# 10,000 echo connections of 64 KiB each are 1.3 GB through the checker;
# a few hundred take every path.
TIDE_TCP_CONNECTIONS=${TIDE_TCP_CONNECTIONS:-300}
export TIDE_TCP_CONNECTIONS
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
status=0

# memcheck PROGRAM OUTPUT: run PROGRAM under Valgrind, its stdout to OUTPUT;
# prints nothing and returns the program's status, or 99 on a Valgrind error.
memcheck() {
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --suppressions="$here/scripts/valgrind.supp" \
        "$1" >"$2" 2>"$1.valgrind.log"
}

fail() {
    echo "valgrind: FAIL $1"
    grep -v "unhandled amd64-linux syscall\|You may be able\|README_MISSING\|Nevertheless\|valgrind.org/support" "$2" | head -40
    status=1
}

for t in "$build"/tests/core_test_* "$build"/tests/backend_test_* "$build"/tests/async_test_* \
    "$build"/tests/events_test_* "$build"/tests/io_test_* "$build"/tests/http_test_server_*; do
    [ -x "$t" ] || continue
    case $t in *.log) continue ;; esac
    # curl and node children are not worth following under the checker
    case $t in *http_test_server_clients) continue ;; esac
    if memcheck "$t" /dev/null; then
        echo "valgrind: ok   $(basename "$t")"
    else
        fail "$(basename "$t")" "$t.valgrind.log"
    fi
done

for t in "$build"/conformance/conformance_*; do
    [ -x "$t" ] || continue
    case $t in *.log | *.out) continue ;; esac
    name=${t##*/conformance_}
    dir=$here/conformance/$name
    want=0
    [ -f "$dir/case.status" ] && want=$(cat "$dir/case.status")
    got=0
    memcheck "$t" "$t.out" || got=$?
    if [ "$got" -eq "$want" ] && cmp -s "$t.out" "$dir/case.expected"; then
        echo "valgrind: ok   conformance $name"
    else
        echo "(status $got, expected $want; output differs: $(cmp -s "$t.out" "$dir/case.expected" && echo no || echo yes))" >>"$t.valgrind.log"
        fail "conformance $name" "$t.valgrind.log"
    fi
done
exit $status

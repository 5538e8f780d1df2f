#!/bin/sh
# scripts/valgrind-tests.sh BUILD - run the core, backend and async tests
# under Valgrind's memcheck; any error or leak fails the run. Fiber stacks
# are registered with Valgrind (VALGRIND_STACK_REGISTER), so switches
# between them are not taken for huge stack frames.
set -eu
build=${1:-build}
status=0
for t in "$build"/tests/core_test_* "$build"/tests/backend_test_* "$build"/tests/async_test_*; do
    [ -x "$t" ] || continue
    if valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$t" >/dev/null 2>"$t.valgrind.log"; then
        echo "valgrind: ok   $(basename "$t")"
    else
        echo "valgrind: FAIL $(basename "$t")"
        grep -v "unhandled amd64-linux syscall\|You may be able\|README_MISSING\|Nevertheless\|valgrind.org/support" "$t.valgrind.log" | head -40
        status=1
    fi
done
exit $status

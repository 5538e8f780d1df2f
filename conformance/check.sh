#!/bin/sh
# check.sh EXPECTED COMMAND... - run COMMAND and fail unless its standard
# output equals EXPECTED byte for byte (a unified diff shows the difference).
expected=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out"
status=$?
if ! diff -u "$expected" "$out"; then
    echo "conformance: output of '$*' differs from $expected" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "conformance: '$*' exited with status $status" >&2
    exit 1
fi
exit 0

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
# A case that must end with another status (an unhandled rejection exits
# with 1) says so in case.status next to case.expected.
want=0
statusfile=$(dirname "$expected")/case.status
[ -f "$statusfile" ] && want=$(cat "$statusfile")
if [ "$status" -ne "$want" ]; then
    echo "conformance: '$*' exited with status $status, not $want" >&2
    exit 1
fi
exit 0

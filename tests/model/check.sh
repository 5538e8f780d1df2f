#!/bin/sh
# check.sh NODE JS FIRST COUNT PROGRAM... - run the same random promise
# programs with tide (PROGRAM, with an emulator in front when cross-built)
# and with Node, and fail on the first difference.
set -eu
node=$1 js=$2 first=$3 count=$4
shift 4
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
"$@" "$first" "$count" >"$a"
"$node" "$js" "$first" "$count" >"$b" 2>/dev/null
if ! cmp -s "$a" "$b"; then
    diff -u "$b" "$a" | head -40
    echo "promise model: tide differs from Node (seeds $first..)" >&2
    exit 1
fi
echo "promise model: $count programs, same output as Node"

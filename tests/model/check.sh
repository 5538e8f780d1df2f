#!/bin/sh
# check.sh NODE PROGRAM JS FIRST COUNT - run the same random promise
# programs with tide and with Node and fail on the first difference.
set -eu
node=$1 prog=$2 js=$3 first=$4 count=$5
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
"$prog" "$first" "$count" >"$a"
"$node" "$js" "$first" "$count" >"$b" 2>/dev/null
if ! diff -u "$b" "$a" | head -40; then :; fi
cmp -s "$a" "$b" || { echo "promise model: tide differs from Node (seeds $first..)" >&2; exit 1; }
echo "promise model: $count programs, same output as Node"

#!/bin/sh
# check.sh NODE JS FIRST COUNT PROGRAM... - run the same random programs,
# seeds FIRST to FIRST+COUNT-1, with tide (PROGRAM, with an emulator in
# front when cross-built) and with Node (JS), and fail on the first
# difference: its seed, its line, and that seed's two outputs side by side.
set -eu
node=$1 js=$2 first=$3 count=$4
shift 4
name=$(basename "$js" .js)
a=$(mktemp) b=$(mktemp) err=$(mktemp)
trap 'rm -f "$a" "$b" "$err"' EXIT
if ! "$@" "$first" "$count" >"$a"; then
    echo "$name: tide's program failed (seeds $first..)" >&2
    exit 1
fi
if ! "$node" --no-warnings "$js" "$first" "$count" >"$b" 2>"$err"; then
    tail -n 20 "$err" >&2
    echo "$name: Node's program failed (seeds $first..)" >&2
    exit 1
fi
if cmp -s "$a" "$b"; then
    echo "$name: $count programs, same output as Node"
    exit 0
fi
# The first line that differs, and the seed it belongs to.
line=$(awk -v tide="$a" '
    { if ((getline t < tide) <= 0 || t != $0) { print NR; found = 1; exit } }
    END { if (!found) print NR + 1 }' "$b")
seed=$(head -n "$line" "$b" | sed -n 's/^seed //p' | tail -n 1)
seed=${seed:-$first}
echo "$name: tide differs from Node at line $line, seed $seed; that seed alone (- node, + tide):" >&2
"$node" --no-warnings "$js" "$seed" 1 >"$b" 2>/dev/null || true
"$@" "$seed" 1 >"$a" || true
diff -u --label node --label tide "$b" "$a" | head -n 60 >&2
exit 1

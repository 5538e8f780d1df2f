#!/bin/sh
# parser_check.sh NODE PROGRAM... - the parser oracle: Node's HTTP parser
# (parser_oracle.js) writes the cases and its verdicts, tide's (PROGRAM,
# with an emulator in front when cross-built) prints its own for the same
# bytes, whole and split every way; any difference fails, with the cases
# that differ side by side.
set -eu
node=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! "$node" --expose-internals --no-warnings "$here/parser_oracle.js" "$dir/cases" >"$dir/node" 2>"$dir/err"; then
    tail -n 20 "$dir/err" >&2
    echo "parser oracle: Node's side failed" >&2
    exit 1
fi
status=0
"$@" "$dir/cases" >"$dir/tide" || status=$?
if [ "$status" -ne 0 ]; then
    echo "parser oracle: tide's side failed (status $status): a split changed a verdict, see above" >&2
    exit 1
fi
if cmp -s "$dir/node" "$dir/tide"; then
    echo "parser oracle: $(grep -c '^case ' "$dir/node") cases, each whole and split, same verdicts as Node"
    exit 0
fi
echo "parser oracle: tide differs from Node (- node, + tide):" >&2
diff -u --label node --label tide "$dir/node" "$dir/tide" | head -n 80 >&2
exit 1

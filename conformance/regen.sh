#!/bin/sh
# regen.sh [CASE...] - rewrite case.expected from what `node case.js` prints,
# for the named cases (folder names) or, with no argument, for every case.
# An expected file is always Node's output: never edit one by hand and never
# fill one from tide's output. Run it again and diff if a case looks flaky;
# a case whose output changes between runs has a nondeterministic order
# (SEMANTICS.md L8) and must be rewritten.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-node}
"$node" -e 'if (process.versions.node.split(".")[0] !== "20") { console.error("regen.sh: need Node v20, found " + process.version); process.exit(1); }'
if [ $# -eq 0 ]; then
    set -- $(cd "$here" && ls -d */ | tr -d /)
fi
for name in "$@"; do
    dir=$here/$name
    if [ ! -f "$dir/case.js" ]; then
        echo "regen.sh: $name has no case.js" >&2
        exit 1
    fi
    tmp=$(mktemp)
    want=0
    [ -f "$dir/case.status" ] && want=$(cat "$dir/case.status")
    status=0
    (cd "$dir" && "$node" case.js >"$tmp" 2>/dev/null) || status=$?
    if [ "$status" -ne "$want" ]; then
        rm -f "$tmp"
        echo "regen.sh: node exited with $status on $name, not $want" >&2
        exit 1
    fi
    if [ -f "$dir/case.expected" ] && cmp -s "$tmp" "$dir/case.expected"; then
        rm -f "$tmp"
    else
        mv "$tmp" "$dir/case.expected"
        echo "updated $name"
    fi
done

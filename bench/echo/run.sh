#!/bin/sh
# bench/echo/run.sh BINDIR [NODE] - the echo benchmarks for every server
# built in BINDIR (bench_echo_<impl>) and Node's: echo-1conn and
# echo-100conn (messages per second, ping-pong of BENCH_ECHO_MSG bytes for
# BENCH_ECHO_SECONDS on 1 and 100 connections), and idle-conn-mem (the
# growth of the server's resident memory per connection, in bytes, with
# BENCH_ECHO_IDLE idle connections that each echoed one byte). Each server
# runs on its own and the client (bench_echo_client) is the same for all.
# The whole run takes about rounds x servers x 2 x (BENCH_ECHO_SECONDS +
# 0.3) seconds, plus the idle runs.
set -eu
bin=$1
node=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_ECHO_SECONDS:-3}
msg=${BENCH_ECHO_MSG:-64}
idle=${BENCH_ECHO_IDLE:-10000}
client=$bin/bench_echo_client
tmp=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# start_server IMPL: run it, read its "port N" line into $port.
start_server() {
    mkfifo "$tmp/announce"
    if [ "$1" = node ]; then
        "$node" "$here/node.js" >"$tmp/announce" &
    else
        "$bin/bench_echo_$1" >"$tmp/announce" &
    fi
    server_pid=$!
    exec 3<"$tmp/announce"
    read -r word port <&3 || { echo "echo: $1 did not start" >&2; exit 2; }
    [ "$word" = port ] || { echo "echo: $1 said '$word $port'" >&2; exit 2; }
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    exec 3<&-
    rm -f "$tmp/announce"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# idle_growth: bytes of resident memory the server gained per connection
# while $idle idle connections were open (after a warm-up of 200 that
# closed, so code and first allocations are already paged in).
idle_growth() {
    "$client" idle "$port" 200 </dev/null >/dev/null
    mkfifo "$tmp/in" "$tmp/out"
    "$client" idle "$port" "$idle" <"$tmp/in" >"$tmp/out" &
    cpid=$!
    exec 4>"$tmp/in" 5<"$tmp/out"
    before=$(rss_kib "$server_pid")
    read -r ready <&5
    [ "$ready" = ready ] || { echo "echo: idle client failed" >&2; exit 2; }
    after=$(rss_kib "$server_pid")
    exec 4>&- 5<&-
    wait "$cpid"
    rm -f "$tmp/in" "$tmp/out"
    echo $(( (after - before) * 1024 / idle ))
}

impls=
for impl in tide libuv libev minimal; do
    [ -x "$bin/bench_echo_$impl" ] && impls="$impls $impl"
done
[ -n "$node" ] && impls="$impls node"

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The load runs go round the servers BENCH_ECHO_ROUNDS times (default 3),
# each server once a round, and each figure is the median of its rounds:
# this shared machine drifts over seconds, and taking every server's runs
# side by side through the same stretch of time keeps the ratios fair.
rounds=${BENCH_ECHO_ROUNDS:-3}
r=0
while [ "$r" -lt "$rounds" ]; do
    for impl in $impls; do
        start_server "$impl"
        "$client" load "$port" 1 "$seconds" "$msg" >>"$tmp/$impl.1"
        "$client" load "$port" 100 "$seconds" "$msg" >>"$tmp/$impl.100"
        stop_server
    done
    r=$((r + 1))
done

for impl in $impls; do
    echo "RESULT echo-1conn $impl $(median <"$tmp/$impl.1") msg/s"
    echo "RESULT echo-100conn $impl $(median <"$tmp/$impl.100") msg/s"
    start_server "$impl"
    mem=$(idle_growth)
    stop_server
    echo "RESULT idle-conn-mem $impl $mem bytes"
done

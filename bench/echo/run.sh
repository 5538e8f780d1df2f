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

. "$here/../common/servers.sh"

start_server() {
    if [ "$1" = node ]; then
        start_announced "echo: $1" "$node" "$here/node.js"
    else
        start_announced "echo: $1" "$bin/bench_echo_$1"
    fi
}

impls=
for impl in tide libuv libev minimal; do
    [ -x "$bin/bench_echo_$impl" ] && impls="$impls $impl"
done
[ -n "$node" ] && impls="$impls node"

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
    mem=$(idle_growth "$client" rss_kib "$server_pid" "$idle")
    stop_server
    echo "RESULT idle-conn-mem $impl $mem bytes"
done

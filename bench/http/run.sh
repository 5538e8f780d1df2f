#!/bin/sh
# bench/http/run.sh BINDIR [NODE] - the HTTP benchmark: every server answers
# each keep-alive GET with a 13-byte "Hello, World!", loaded by wrk. Servers:
# tide (bench_http_tide), nginx (one worker, generated config), Node's http
# (node.js), libuv + llhttp (bench_http_libuv) and a hand-written epoll
# responder (bench_http_minimal); one whose program is missing is skipped
# and named on stderr.
#
# On a 2-CPU machine one wrk thread cannot saturate a C server on the other
# CPU, so throughput is measured with the server and wrk sharing CPU 0 and
# efficiency with them apart:
#   http-c50, http-c256      req/s, 50 and 256 connections, shared CPU
#   http-pipeline16          req/s, BENCH_HTTP_PIPE_CONNS (50) connections
#                            sending 16 requests per write (pipeline.lua)
#   http-c256-p99            ms, wrk --latency's 99th percentile at 256
#   http-cpu-eff             requests per CPU-second of the server (utime +
#                            stime from /proc), server on CPU 0, wrk on CPU 1
#   http-idle-conn-mem       bytes of anonymous memory (smaps_rollup) the
#                            server gains per idle keep-alive connection,
#                            BENCH_HTTP_IDLE (10,000) of them, each having
#                            served one request (bench_http_client)
# The load runs go round the servers BENCH_HTTP_ROUNDS (3) times, each run
# BENCH_HTTP_SECONDS (5) long after a 1 s warm-up per start, and each figure
# is the median of its rounds (each round's figures are printed first, as
# comments). About rounds x servers x (4 x seconds + 3) s.
set -eu
bin=$1
node=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_HTTP_SECONDS:-5}
rounds=${BENCH_HTTP_ROUNDS:-3}
idle=${BENCH_HTTP_IDLE:-10000}
pipe_conns=${BENCH_HTTP_PIPE_CONNS:-50}
client=$bin/bench_http_client
tmp=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

. "$here/../common/servers.sh"

wrk=$(command -v wrk || true)
nginx=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -z "$wrk" ] || [ ! -x "$client" ]; then
    echo "http: wrk or $client missing (scripts/deps.sh bench installs wrk)" >&2
    exit 2
fi

impls=
for impl in tide nginx node libuv minimal; do
    case $impl in
    nginx) ok=$nginx ;;
    node) ok=$node ;;
    *) ok= && if [ -x "$bin/bench_http_$impl" ]; then ok=yes; fi ;;
    esac
    if [ -n "$ok" ]; then impls="$impls $impl"; else echo "http: no $impl server, skipped" >&2; fi
done

# nginx_conf PORT: one worker answering every request like the others,
# with its pid, logs and temporary files in $tmp/nginx, as this user.
nginx_conf() {
    mkdir -p "$tmp/nginx"
    nofile=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
    [ "$nofile" = unlimited ] && nofile=65536
    {
        echo "worker_processes 1;"
        echo "worker_rlimit_nofile $nofile;"
        echo "pid $tmp/nginx/nginx.pid;"
        echo "error_log $tmp/nginx/error.log error;"
        # As root nginx would hand its worker to "nobody"; keep this user.
        [ "$(id -u)" -eq 0 ] && echo "user $(id -un) $(id -gn);"
        echo "events { worker_connections $((nofile - 100)); }"
        echo "http {"
        echo "    access_log off;"
        echo "    keepalive_timeout 60s;"
        echo "    keepalive_requests 1000000000;"
        for t in client_body proxy fastcgi uwsgi scgi; do
            echo "    ${t}_temp_path $tmp/nginx/$t;"
        done
        echo "    server {"
        echo "        listen 127.0.0.1:$1 backlog=4096;"
        echo "        location / {"
        echo "            default_type text/plain;"
        echo "            return 200 \"Hello, World!\";"
        echo "        }"
        echo "    }"
        echo "}"
    } >"$tmp/nginx/nginx.conf"
}

# start_server IMPL: run it on CPU 0; $port is where it listens and $pid
# the process doing the work (nginx's worker, not its master).
start_server() {
    if [ "$1" = nginx ]; then
        port=$("$client" port)
        nginx_conf "$port"
        taskset -c 0 "$nginx" -e "$tmp/nginx/error.log" -p "$tmp/nginx" \
            -c "$tmp/nginx/nginx.conf" -g "daemon off;" &
        server_pid=$!
        tries=0
        until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
            tries=$((tries + 1))
            [ "$tries" -lt 100 ] || { echo "http: nginx did not start" >&2; cat "$tmp/nginx/error.log" >&2; exit 2; }
            sleep 0.05
        done
        pid=$(cat "/proc/$server_pid/task/$server_pid/children")
        pid=${pid%% *}
        return
    fi
    if [ "$1" = node ]; then
        start_announced "http: $1" taskset -c 0 "$node" "$here/node.js"
    else
        start_announced "http: $1" taskset -c 0 "$bin/bench_http_$1"
    fi
    pid=$server_pid
}

# load CPU CONNS [WRK ARGS...]: wrk on that CPU against the server, its
# report in $tmp/wrk; complains about errors and non-200 answers.
load() {
    cpu=$1 conns=$2
    shift 2
    taskset -c "$cpu" "$wrk" -t1 -c"$conns" -d"${seconds}s" "$@" "http://127.0.0.1:$port/" >"$tmp/wrk"
    if grep -q -e 'Socket errors' -e 'Non-2xx' "$tmp/wrk"; then
        echo "http: wrk reported errors against $impl:" >&2
        grep -e 'Socket errors' -e 'Non-2xx' "$tmp/wrk" >&2
    fi
}
rate() { awk '$1 == "Requests/sec:" { printf "%d\n", $2 }' "$tmp/wrk"; }
requests() { awk '$2 == "requests" && $3 == "in" { print $1 }' "$tmp/wrk"; }
# wrk prints latencies as 812.00us, 3.21ms or 1.02s; in ms.
p99_ms() {
    awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                       f = u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1
                       printf "%.2f\n", v * f }' "$tmp/wrk"
}
# CPU time of a process in clock ticks (utime + stime, every thread).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)

echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$rounds" ]; do
    for impl in $impls; do
        start_server "$impl"
        load 0 50 -d1s # warm-up (Node's JIT, first allocations)
        load 0 50
        rate >>"$tmp/$impl.c50"
        load 0 256 --latency
        rate >>"$tmp/$impl.c256"
        p99_ms >>"$tmp/$impl.p99"
        load 0 "$pipe_conns" -s "$here/pipeline.lua"
        rate >>"$tmp/$impl.pipe"
        t0=$(cpu_ticks "$pid")
        load 1 50
        t1=$(cpu_ticks "$pid")
        echo "$(requests) $t0 $t1 $hz" | awk '{ printf "%d\n", ($3 > $2) ? $1 / (($3 - $2) / $4) : 0 }' \
            >>"$tmp/$impl.eff"
        stop_server
    done
    r=$((r + 1))
done

# Each round's figures as a comment first, to show how much they moved.
for impl in $impls; do
    for f in c50 c256 pipe eff p99; do
        echo "# $impl $f rounds: $(tr '\n' ' ' <"$tmp/$impl.$f")"
    done
done
for impl in $impls; do
    echo "RESULT http-c50 $impl $(median <"$tmp/$impl.c50") req/s"
    echo "RESULT http-c256 $impl $(median <"$tmp/$impl.c256") req/s"
    echo "RESULT http-pipeline16 $impl $(median <"$tmp/$impl.pipe") req/s"
    echo "RESULT http-cpu-eff $impl $(median <"$tmp/$impl.eff") req/cpu-s"
    echo "RESULT http-c256-p99 $impl $(median <"$tmp/$impl.p99") ms"
    start_server "$impl"
    mem=$(idle_growth "$client" anon_kib "$pid" "$idle")
    stop_server
    echo "RESULT http-idle-conn-mem $impl $mem bytes"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

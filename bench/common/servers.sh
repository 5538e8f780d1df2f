# bench/common/servers.sh - shell functions the network benchmarks' drivers
# (bench/<name>/run.sh) share, sourced by them: start a server that
# announces "port N" and stop it, medians, and the growth of a server's
# memory per idle connection. They expect $tmp (a scratch directory) and
# set $server_pid and $port.

# start_announced NAME CMD...: run CMD in the background, its "port N"
# line read into $port.
start_announced() {
    what=$1
    shift
    mkfifo "$tmp/announce"
    "$@" >"$tmp/announce" &
    server_pid=$!
    exec 3<"$tmp/announce"
    read -r word port <&3 || { echo "$what did not start" >&2; exit 2; }
    [ "$word" = port ] || { echo "$what said '$word $port'" >&2; exit 2; }
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    exec 3<&-
    rm -f "$tmp/announce"
}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Memory of a process in KiB: resident, or anonymous (heap and anonymous
# maps: what it allocated, without code and files).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
anon_kib() { awk '/^Anonymous:/ { print $2 }' "/proc/$1/smaps_rollup"; }

# idle_growth CLIENT MEMORY PID COUNT: bytes of memory (rss_kib or
# anon_kib) process PID gained per connection while COUNT idle
# connections were open, made by `CLIENT idle $port COUNT` (which prints
# "ready" once they are all served and holds them until its stdin
# closes), after a warm-up of 200 that closed, so code and first
# allocations are already paged in.
idle_growth() {
    "$1" idle "$port" 200 </dev/null >/dev/null
    mkfifo "$tmp/in" "$tmp/out"
    "$1" idle "$port" "$4" <"$tmp/in" >"$tmp/out" &
    cpid=$!
    exec 4>"$tmp/in" 5<"$tmp/out"
    before=$("$2" "$3")
    read -r ready <&5
    [ "$ready" = ready ] || { echo "idle client failed" >&2; exit 2; }
    after=$("$2" "$3")
    exec 4>&- 5<&-
    wait "$cpid"
    rm -f "$tmp/in" "$tmp/out"
    echo $(((after - before) * 1024 / $4))
}

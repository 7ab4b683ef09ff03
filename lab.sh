#!/usr/bin/env bash
# The RTT lab: measures what TCP Fast Open saves, and what the agent costs, in a private network namespace
# whose loopback has an emulated round-trip time, then writes docs/benchmarks.md and its chart.
#
#   ./lab.sh            full run: TTFB at RTT 0,10,20,50,100 ms (plain JDK, agent warm cookie, agent cold
#                       cookie), the virtual-thread burst (JDK 21+), JMH loopback/policy/native benchmarks,
#                       start-up cost; then the report
#   ./lab.sh --smoke    CI: RTT 0 and 20 ms, few samples, one round of the burst (JDK 21+); asserts only that
#                       the agent's (warm cookie) median TTFB is below plain's at 20 ms; leaves docs/ alone
#   ./lab.sh --burst    only the virtual-thread burst row (JDK 21+): plain against agent at RTT 50 ms; stores
#                       its results in docs/benchmarks/ apart from the rest and regenerates the report
#   ./lab.sh --netty    only the Reactor Netty row: an unmodified Reactor Netty HttpClient on Netty's epoll
#                       transport (samples/), plain against agent (warm cookie) at RTT 20, 50, 100 ms; stores its
#                       results in docs/benchmarks/netty-* apart from the rest and regenerates the report. The
#                       full run measures it too.
#   ./lab.sh --report   regenerates docs/benchmarks.md and the charts from the raw results in docs/benchmarks/
#   --no-build          skips the Maven build (uses agent/target and jmh/target as they are)
# Environment: JAVA_HOME (default: java on PATH); SAMPLES, WARMUP (TTFB connections per measure), JMH_OPTS
# (extra JMH options), STARTUP_RUNS, BURST_THREADS, BURST_ROUNDS: only to try the lab quickly, the report
# states what was used.
#
# Needs root (network namespace, iptables, sysctls). This kernel has no netem, so a userspace delayer
# (jmh/lab/nfq-delay.c, built here with gcc) holds each packet queued by an iptables NFQUEUE rule on
# raw PREROUTING -i lo for RTT/2: every loopback packet crosses that hook once, so RTT = 2 x delay.
set -euo pipefail
cd "$(dirname "$0")"

MODE=full
BUILD=1
for arg in "$@"; do
    case "$arg" in
        --smoke) MODE=smoke ;;
        --report) MODE=report ;;
        --no-build) BUILD=0 ;;
        --burst) MODE=burst ;;
        --netty) MODE=netty ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "lab.sh: unknown option '$arg' (see ./lab.sh --help)" >&2; exit 2 ;;
    esac
done

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
AGENT=agent/target/connectx-agent.jar
BENCH=jmh/target/benchmarks.jar
RESULTS=docs/benchmarks
report() {
    "$JAVA" -Djava.awt.headless=true -cp "$BENCH" io.connectx.jmh.report.BenchmarkReport "$RESULTS" docs/benchmarks.md
}
if [ "$MODE" = report ]; then
    [ -f "$BENCH" ] || { echo "lab.sh: build first (mvn -DskipTests package), $BENCH is missing" >&2; exit 1; }
    report
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "lab.sh needs root: it creates a network namespace, an iptables NFQUEUE rule and sets sysctls in it" >&2
    exit 1
fi

missing=()
for pkg in iproute2 iptables libnetfilter-queue-dev gcc libc6-dev fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$MODE" = smoke ]; then
    RTTS=(0 20); SAMPLES=${SAMPLES:-15}; WARMUP=${WARMUP:-5}
    OUT=$(mktemp -d /tmp/connectx-lab-smoke.XXXXXX)
elif [ "$MODE" = burst ]; then
    RTTS=(); OUT=$(mktemp -d /tmp/connectx-lab-burst.XXXXXX)
elif [ "$MODE" = netty ]; then
    RTTS=(); SAMPLES=${SAMPLES:-50}; WARMUP=${WARMUP:-10}
    OUT=$(mktemp -d /tmp/connectx-lab-netty.XXXXXX)
else
    RTTS=(0 10 20 50 100); SAMPLES=${SAMPLES:-50}; WARMUP=${WARMUP:-10}
    OUT=$(mktemp -d /tmp/connectx-lab.XXXXXX)
fi
STARTED=$(date +%s)
# The virtual-thread burst: BURST_THREADS fresh connections at once, BURST_ROUNDS client JVMs of each kind.
BURST_RTT=50; BURST_THREADS=${BURST_THREADS:-200}; BURST_ROUNDS=${BURST_ROUNDS:-5}
if [ "$MODE" = smoke ]; then BURST_RTT=20; BURST_ROUNDS=1; fi

# samples: the Reactor Netty row's client (an unmodified Reactor Netty app) and its class path.
MODULES=agent,jmh
[ "$MODE" = full ] || [ "$MODE" = netty ] && MODULES=agent,jmh,samples
if [ "$BUILD" = 1 ]; then
    echo "== building (mvn -B -q -Dstyle.color=never -DskipTests package -pl $MODULES -am)"
    mvn -B -q -Dstyle.color=never -DskipTests package -pl "$MODULES" -am
fi
DELAYER=jmh/target/lab/nfq-delay
mkdir -p "$(dirname "$DELAYER")"
gcc -O2 -Wall -o "$DELAYER" jmh/lab/nfq-delay.c -lnetfilter_queue

NS=connectx-lab-$$
PORT=9080
QUEUE=6
DELAYER_PID=
cleanup() {
    local status=$?
    set +e
    [ -n "$DELAYER_PID" ] && kill "$DELAYER_PID" 2>/dev/null && wait "$DELAYER_PID" 2>/dev/null
    # Everything started inside the namespace (the server, a client cut short) goes with it.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 0.1; done
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    if [ "$status" != 0 ] && [ -s "$OUT/server.log" ]; then
        echo "lab.sh: failed; the lab server's log:" >&2
        tail -20 "$OUT/server.log" >&2
    fi
    rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { ip netns exec "$NS" "$@"; }
ip netns add "$NS"
in_ns ip link set lo up
in_ns ip link set lo mtu 1500 # realistic segments: loopback's 64 KiB MTU would make every response one packet
in_ns sysctl -q -w net.ipv4.tcp_fastopen=3
in_ns sysctl -q -w net.ipv4.ip_local_port_range="1024 65535" # JMH opens connections by the hundred thousand

counter() { in_ns awk -v name="$1" '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1 } else { for (i = 2; i <= NF; i++) if (h[i] == name) print $i } }' /proc/net/netstat; }

set_rtt() { # RTT in ms; 0 removes the delay
    if [ -n "$DELAYER_PID" ]; then
        in_ns iptables -t raw -D PREROUTING -i lo -j NFQUEUE --queue-num "$QUEUE"
        kill "$DELAYER_PID"
        local status=0
        wait "$DELAYER_PID" || status=$?
        DELAYER_PID=
        echo "   delayer at RTT $CURRENT_RTT ms: $(tail -1 "$OUT/delayer-$CURRENT_RTT.out")"
        [ "$status" = 0 ] || { echo "lab.sh: the delayer failed (exit $status)" >&2; exit 1; }
    fi
    if [ "$1" -gt 0 ]; then
        local ready=$OUT/delayer-$1.out
        # Not through in_ns: $! must be the delayer itself (ip netns exec execs it), so kill reaches it.
        ip netns exec "$NS" "$DELAYER" "$QUEUE" $(( $1 * 500 )) >"$ready" &
        DELAYER_PID=$!
        CURRENT_RTT=$1
        for _ in $(seq 1 50); do grep -q ready "$ready" && break; sleep 0.1; done
        grep -q ready "$ready" || { echo "lab.sh: the delayer did not start" >&2; exit 1; }
        # No --queue-bypass and no fail-open: a packet is never let through undelayed or out of order.
        in_ns iptables -t raw -A PREROUTING -i lo -j NFQUEUE --queue-num "$QUEUE"
    fi
}

echo "== lab namespace $NS: lo MTU 1500, net.ipv4.tcp_fastopen=3"
echo "== server: java -javaagent:$AGENT=listen=$PORT -cp $BENCH io.connectx.jmh.lab.LabServer 127.0.0.1 $PORT"
in_ns "$JAVA" "-javaagent:$AGENT=listen=$PORT" -cp "$BENCH" io.connectx.jmh.lab.LabServer 127.0.0.1 "$PORT" >"$OUT/server.log" 2>&1 &
for _ in $(seq 1 100); do
    in_ns ss -ltn "sport = :$PORT" | grep -q LISTEN && break
    sleep 0.1
done
in_ns ss -ltn "sport = :$PORT" | grep -q LISTEN || { echo "lab.sh: the lab server did not start" >&2; cat "$OUT/server.log" >&2; exit 1; }

CLIENT_AGENT="-javaagent:$AGENT=dest=127.0.0.1:$PORT"

# The virtual-thread burst. Rounds alternate plain and agent client JVMs, so that both meet the same
# machine; each JVM runs a burst of each kind (VirtualThreadBurst). The class itself says, in one
# line, when the JDK has no virtual threads: the row is skipped then.
echo "rtt_ms,mode,connect,round,threads,total_micros,slowest_micros,median_micros" >"$OUT/burst.csv"
echo "round,mode,syn_data_acked" >"$OUT/burst-runs.csv"
BURST=skipped
burst() {
    "$JAVA" -cp "$BENCH" io.connectx.jmh.lab.VirtualThreadBurst --check || return 0
    set_rtt "$BURST_RTT"
    echo "== virtual-thread burst: $BURST_THREADS virtual threads, timed connect(addr, 2000), untimed connect, shutdownOutput() first, RTT $BURST_RTT ms, $BURST_ROUNDS round(s) of plain and agent ($CLIENT_AGENT)"
    local round mode status active
    for round in $(seq 1 "$BURST_ROUNDS"); do
        for mode in plain agent; do
            opts=()
            [ "$mode" = agent ] && opts=("$CLIENT_AGENT")
            active=$(counter TCPFastOpenActive)
            status=0
            in_ns "$JAVA" "${opts[@]}" -cp "$BENCH" io.connectx.jmh.lab.VirtualThreadBurst 127.0.0.1 "$PORT" "$BURST_RTT" \
                "$mode" "$round" "$BURST_THREADS" "$OUT/burst.csv" || status=$?
            [ "$status" = 0 ] || { echo "lab.sh: the virtual-thread burst failed (exit $status)" >&2; exit 1; }
            echo "$round,$mode,$(( $(counter TCPFastOpenActive) - active ))" >>"$OUT/burst-runs.csv"
        done
    done
    BURST=measured
    set_rtt 0
    column -t -s, "$OUT/burst-runs.csv"
    {
        echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
        echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
        echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "$BURST_THREADS virtual threads, $BURST_ROUNDS rounds, RTT $BURST_RTT ms"
        echo "command: ${JAVA_HOME:+JAVA_HOME=$JAVA_HOME }./lab.sh$([ "$MODE" = burst ] && echo ' --burst')"
    } >"$OUT/burst-environment.txt"
}
# Kept with the other results only when measured: a run on a JDK without virtual threads leaves the last
# burst (with its own environment) in place.
keep_burst() {
    [ "$BURST" = measured ] || return 0
    mkdir -p "$RESULTS"
    cp "$OUT"/burst.csv "$OUT"/burst-runs.csv "$OUT"/burst-environment.txt "$RESULTS"/
}
# The Reactor Netty row: an unmodified Reactor Netty HttpClient on Netty's epoll transport (the agent's Netty
# hooks), plain JVMs against agent JVMs (warm cookie) at each RTT, in files of its own.
NETTY_RTTS=(20 50 100)
NETTY=skipped
netty_row() {
    local cp rtt mode active cookie passive
    cp="samples/target/connectx-samples.jar:$(cat samples/target/runtime-classpath.txt)"
    echo "rtt_ms,mode,measure,sample,micros" >"$OUT/netty-ttfb.csv"
    echo "rtt_ms,mode,syn_data_acked,cookie_requests,server_fast_open" >"$OUT/netty-runs.csv"
    echo "== Reactor Netty row: $SAMPLES samples after $WARMUP warm-up connections per measure, RTT ${NETTY_RTTS[*]} ms; agent mode uses $CLIENT_AGENT"
    for rtt in "${NETTY_RTTS[@]}"; do
        set_rtt "$rtt"
        for mode in plain warm; do
            opts=()
            [ "$mode" = warm ] && opts=("$CLIENT_AGENT")
            active=$(counter TCPFastOpenActive) cookie=$(counter TCPFastOpenCookieReqd) passive=$(counter TCPFastOpenPassive)
            in_ns "$JAVA" "${opts[@]}" -cp "$cp" io.connectx.samples.ReactorNettyTtfbClient 127.0.0.1 "$PORT" "$rtt" "$mode" \
                "$SAMPLES" "$WARMUP" "$OUT/netty-ttfb.csv"
            echo "$rtt,$mode,$(( $(counter TCPFastOpenActive) - active )),$(( $(counter TCPFastOpenCookieReqd) - cookie )),$(( $(counter TCPFastOpenPassive) - passive ))" >>"$OUT/netty-runs.csv"
        done
    done
    set_rtt 0
    column -t -s, "$OUT/netty-runs.csv"
    NETTY=measured
    {
        echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
        echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
        echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "$SAMPLES samples after $WARMUP warm-up connections per measure, RTTs ${NETTY_RTTS[*]} ms"
        echo "command: ${JAVA_HOME:+JAVA_HOME=$JAVA_HOME }./lab.sh$([ "$MODE" = netty ] && echo ' --netty')"
    } >"$OUT/netty-environment.txt"
}
keep_netty() {
    [ "$NETTY" = measured ] || return 0
    mkdir -p "$RESULTS"
    cp "$OUT"/netty-ttfb.csv "$OUT"/netty-runs.csv "$OUT"/netty-environment.txt "$RESULTS"/
}
if [ "$MODE" = netty ]; then
    netty_row
    keep_netty
    report
    echo "== Reactor Netty row done in $(( $(date +%s) - STARTED )) s; raw results in $RESULTS, report in docs/benchmarks.md"
    exit 0
fi

if [ "$MODE" = burst ]; then
    burst
    [ "$BURST" = measured ] || exit 1
    keep_burst
    report
    echo "== burst done in $(( $(date +%s) - STARTED )) s; raw results in $RESULTS, report in docs/benchmarks.md"
    exit 0
fi

echo "rtt_ms,mode,measure,sample,micros" >"$OUT/ttfb.csv"
echo "rtt_ms,mode,syn_data_acked,cookie_requests,server_fast_open" >"$OUT/runs.csv"
echo "== TTFB: $SAMPLES samples after $WARMUP warm-up connections per measure; agent modes use $CLIENT_AGENT"
for rtt in "${RTTS[@]}"; do
    set_rtt "$rtt"
    for mode in plain warm cold; do
        opts=()
        [ "$mode" != plain ] && opts=("$CLIENT_AGENT")
        active=$(counter TCPFastOpenActive) cookie=$(counter TCPFastOpenCookieReqd) passive=$(counter TCPFastOpenPassive)
        in_ns "$JAVA" "${opts[@]}" -cp "$BENCH" io.connectx.jmh.lab.TtfbClient 127.0.0.1 "$PORT" "$rtt" "$mode" \
            "$SAMPLES" "$WARMUP" "$OUT/ttfb.csv"
        echo "$rtt,$mode,$(( $(counter TCPFastOpenActive) - active )),$(( $(counter TCPFastOpenCookieReqd) - cookie )),$(( $(counter TCPFastOpenPassive) - passive ))" >>"$OUT/runs.csv"
    done
done

burst
[ "$MODE" = full ] && netty_row
set_rtt 0
echo "== kernel counters per client run (TCPFastOpenActive, TCPFastOpenCookieReqd, TCPFastOpenPassive)"
column -t -s, "$OUT/runs.csv"

median() { # rtt mode measure -> median micros
    awk -F, -v r="$1" -v m="$2" -v q="$3" '$1 == r && $2 == m && $3 == q { print $5 }' "$OUT/ttfb.csv" | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR) print v[int(NR / 2) + 1]; else print -1 }'
}

if [ "$MODE" = smoke ]; then
    plain=$(median 20 plain socket-ttfb) warm=$(median 20 warm socket-ttfb)
    echo "== smoke: Socket TTFB median at RTT 20 ms: plain ${plain} us, agent (warm cookie) ${warm} us"
    if [ "$plain" -le 0 ] || [ "$warm" -le 0 ] || [ "$warm" -ge "$plain" ]; then
        echo "lab smoke: FAILED, the agent's median is not below plain's at RTT 20 ms" >&2
        exit 1
    fi
    echo "lab smoke: PASSED in $(( $(date +%s) - STARTED )) s"
    exit 0
fi

JMH=("$JAVA" -jar "$BENCH" -foe true ${JMH_OPTS:-}) # JMH_OPTS, e.g. "-wi 1 -i 1", only to try the lab quickly
echo "== JMH loopback: FreshConnectionBenchmark with no agent, destination outside the policy, admitted"
in_ns "${JMH[@]}" FreshConnectionBenchmark -rf json -rff "$OUT/loopback-plain.json"
in_ns "${JMH[@]}" FreshConnectionBenchmark -jvmArgsAppend "-javaagent:$PWD/$AGENT=dest=127.0.0.3:*" \
    -rf json -rff "$OUT/loopback-outside.json"
in_ns "${JMH[@]}" FreshConnectionBenchmark -jvmArgsAppend "-javaagent:$PWD/$AGENT=dest=127.0.0.2:*;listen=*" \
    -rf json -rff "$OUT/loopback-admitted.json"
echo "== JMH micro: DestinationPolicyBenchmark -prof gc, NativeCallBenchmark"
"${JMH[@]}" DestinationPolicyBenchmark -prof gc -rf json -rff "$OUT/policy.json"
"${JMH[@]}" NativeCallBenchmark -prof gc -rf json -rff "$OUT/native.json"
echo "== start-up: StartupProbe with and without the agent"
"$JAVA" -cp "$BENCH" io.connectx.jmh.lab.StartupCost "$JAVA" "$BENCH" "$PWD/$AGENT" "dest=*:443" "${STARTUP_RUNS:-21}" "$OUT/startup.csv"
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
if [ -x "$JAVA25" ]; then
    "$JAVA" -cp "$BENCH" io.connectx.jmh.lab.StartupCost "$JAVA25" "$BENCH" "$PWD/$AGENT" "dest=*:443" "${STARTUP_RUNS:-21}" \
        "$OUT/startup-jdk25.csv"
else
    echo "== start-up on JDK 25 skipped: no $JAVA25 (set JAVA25)"
fi

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "kernel: $(uname -r)"
    echo "cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tail -1)"
    echo "iptables: $(iptables --version)"
    echo "ttfb: $SAMPLES samples after $WARMUP warm-up connections per measure, RTTs ${RTTS[*]} ms"
    echo "virtual-thread burst: $BURST in this run"
    echo "duration: $(( $(date +%s) - STARTED )) s"
} >"$OUT/environment.txt"

mkdir -p "$RESULTS"
rm -f "$RESULTS"/startup-environment.txt "$RESULTS"/startup-jdk25.csv # measured with the rest of this run now
cp "$OUT"/ttfb.csv "$OUT"/runs.csv "$OUT"/*.json "$OUT"/startup*.csv "$OUT"/environment.txt "$RESULTS"/
keep_burst
keep_netty
report
echo "== lab done in $(( $(date +%s) - STARTED )) s; raw results in $RESULTS, report in docs/benchmarks.md"

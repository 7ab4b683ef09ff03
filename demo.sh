#!/usr/bin/env bash
# Builds connectx, then shows an unmodified Java client and server getting TCP Fast Open, with the
# kernel's own counters as proof. Runs in a private network namespace (net.ipv4.tcp_fastopen=3 there),
# so the host's settings and cookies are left alone. Needs root for the namespace.
set -euo pipefail
cd "$(dirname "$0")"
COUNT=${COUNT:-20}
PORT=9000

if [ "$(id -u)" != 0 ]; then
    echo "demo.sh needs root: it creates a private network namespace with net.ipv4.tcp_fastopen=3" >&2
    exit 1
fi
for tool in java mvn ip; do
    command -v "$tool" >/dev/null || { echo "demo.sh needs '$tool' (see README: Requirements)" >&2; exit 1; }
done

echo "== building (mvn -B -q -Dstyle.color=never -DskipTests package)"
mvn -B -q -Dstyle.color=never -DskipTests package
AGENT=agent/target/connectx-agent.jar
APP=samples/target/connectx-samples.jar

NS=connectx-demo-$$
cleanup() {
    set +e
    # Everything started inside the namespace (the server) goes with it.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 0.1; done
    ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_fastopen'

counter() { in_ns awk -v name="$1" '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1 } else { for (i = 2; i <= NF; i++) if (h[i] == name) print $i } }' /proc/net/netstat; }

echo "== server: java -javaagent:$AGENT=listen=$PORT -cp $APP io.connectx.samples.EchoServer 127.0.0.1 $PORT"
ip netns exec "$NS" java "-javaagent:$AGENT=listen=$PORT" -cp "$APP" io.connectx.samples.EchoServer 127.0.0.1 "$PORT" >/dev/null &
for _ in $(seq 1 100); do
    in_ns ss -ltn "sport = :$PORT" | grep -q LISTEN && break
    sleep 0.1
done

client() { # label, then the java options before -cp
    local label=$1; shift
    local active=$(counter TCPFastOpenActive) passive=$(counter TCPFastOpenPassive) cookie=$(counter TCPFastOpenCookieReqd)
    local out
    out=$(in_ns java "$@" -cp "$APP" io.connectx.samples.RequestClient 127.0.0.1 "$PORT" "$COUNT")
    local sent=$(( $(counter TCPFastOpenActive) - active )) accepted=$(( $(counter TCPFastOpenPassive) - passive ))
    local fetched=$(( $(counter TCPFastOpenCookieReqd) - cookie ))
    local note=""
    [ "$fetched" -gt 0 ] && note=" ($fetched fetched the cookie first)"
    printf '%-16s %s; %d/%d connections carried their request in the SYN%s; the server accepted %d as Fast Open\n' \
        "$label:" "$out" "$sent" "$COUNT" "$note" "$accepted"
}

# The sample's line protocol is safe to replay, so it says first=always. By default (first=auto) only a
# TLS ClientHello or an HTTP GET, HEAD or OPTIONS rides in the SYN; anything else waits for the handshake.
AGENT_ARGS="dest=127.0.0.1:$PORT;first=always" # loopback named: * leaves this host's own addresses out
echo "== client: java -cp $APP io.connectx.samples.RequestClient 127.0.0.1 $PORT $COUNT"
echo "   without the agent, then with -javaagent:$AGENT=$AGENT_ARGS"
client "without agent"
client "with agent" "-javaagent:$AGENT=$AGENT_ARGS"
echo "== proof: TcpExt TCPFastOpenActive (client) and TCPFastOpenPassive (server) in /proc/net/netstat of the demo's namespace"

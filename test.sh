#!/usr/bin/env bash
# Runs every test of connectx on JDK 17 and on JDK 25, as CI does. Installs what the tests need first
# (Debian packages). As root the Fast Open tests set net.ipv4.tcp_fastopen=3 themselves and restore it;
# without root they are skipped, each with its reason printed. On each JDK it then builds HEAD twice more,
# from clean copies, and checks that the published jars and the SBOM are byte-identical (reproducible-build.sh).
set -euo pipefail
cd "$(dirname "$0")"
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

if [ "$(id -u)" = 0 ]; then
    missing=()
    # iptables, gcc and libnetfilter-queue-dev: VirtualThreadBurstIT builds the RTT lab's delayer.
    for pkg in iproute2 curl nftables openssl mariadb-server nginx redis-server postgresql iptables gcc libc6-dev libnetfilter-queue-dev; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
fi

for jdk in "$JDK17" "$JDK25"; do
    [ -x "$jdk/bin/java" ] || { echo "test.sh: no JDK at $jdk (set JDK17/JDK25)" >&2; exit 1; }
    echo "== mvn -B clean verify on $("$jdk/bin/java" -version 2>&1 | head -1)"
    JAVA_HOME="$jdk" mvn -B -Dstyle.color=never clean verify
    echo "== reproducible build on $("$jdk/bin/java" -version 2>&1 | head -1)"
    JAVA_HOME="$jdk" ./reproducible-build.sh
done

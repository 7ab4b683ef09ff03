#!/usr/bin/env bash
# Proves the build reproducible: builds one commit (HEAD, or the one given) twice, from two clean copies in
# two different directories, and compares what it publishes byte for byte: the agent jar, the provider
# and native jars, the sources and javadoc jars of all three, and the agent's SBOM. Exits 1 on any
# difference. Uses the JDK that `mvn` finds (JAVA_HOME); builds on different JDKs differ, as javac's output does.
set -euo pipefail
cd "$(dirname "$0")"
commit=$(git rev-parse "${1:-HEAD}")
work=$(mktemp -d /tmp/connectx-reproducible.XXXXXX)
trap 'rm -rf "$work"' EXIT

artifacts=(
    agent/target/connectx-agent.jar agent/target/connectx-agent-sources.jar agent/target/connectx-agent-javadoc.jar
    agent/target/connectx-agent.cdx.json
    provider/target/connectx-provider-*[0-9T].jar provider/target/connectx-provider-*-sources.jar
    provider/target/connectx-provider-*-javadoc.jar
    native/target/connectx-native-*[0-9T].jar native/target/connectx-native-*-sources.jar
    native/target/connectx-native-*-javadoc.jar
)

# The second build runs in another directory and another time zone, as another builder's machine might. Both
# run under umask 022: the jar entries' file modes follow the umask (maven-jar-plugin 3.4.2 and 3.5.0 do not
# normalise them; seen with umask 077), so a reproduction needs the umask of the original build.
for build in one two; do
    mkdir "$work/$build"
    git archive "$commit" | tar -x -C "$work/$build"
    if [ "$build" = one ]; then zone=UTC; else zone=Pacific/Auckland; fi
    echo "== reproducible-build: mvn -B -q package of $commit in $work/$build (TZ=$zone, umask 022)"
    (cd "$work/$build" && umask 0022 && TZ="$zone" mvn -B -q -Dstyle.color=never package -DskipTests -pl agent -am) \
        >"$work/$build.log" 2>&1 \
        || { cat "$work/$build.log" >&2; echo "reproducible-build: the build failed" >&2; exit 1; }
done

different=0
for pattern in "${artifacts[@]}"; do
    # shellcheck disable=SC2086 # the pattern is a glob on purpose
    if ! one=$(cd "$work/one" && ls $pattern 2>/dev/null); then
        echo "MISSING    $pattern (the build did not make it)" >&2
        different=1
        continue
    fi
    for file in $one; do
        if cmp -s "$work/one/$file" "$work/two/$file"; then
            echo "same       $(sha256sum < "$work/one/$file" | cut -c1-16)  $file"
        else
            echo "DIFFERENT  $file" >&2
            different=1
        fi
    done
done
if [ "$different" = 1 ]; then
    echo "reproducible-build: FAILED, two builds of $commit differ or lack an artifact" >&2
    exit 1
fi
echo "reproducible-build: PASSED, two builds of $commit are byte-identical"

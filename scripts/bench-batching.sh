#!/usr/bin/env bash
# Continuous-batching benchmark (docs/benchmarks.md). Arguments: weight type, threads, requests at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
MAVEN_OPTS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g" \
  ./mvnw -q -B -pl inference test-compile exec:java -Dexec.mainClass=io.cervella.inference.bench.BatchingBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${1:-q4_0} ${2:-2} ${3:-4}"

#!/usr/bin/env bash
# Vector search benchmark (docs/benchmarks.md). Arguments: vectors queries, or: real DIR vectors queries [sweep].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
MAVEN_OPTS="-Xmx4g --add-modules jdk.incubator.vector" ./mvnw -q -B -pl memory test-compile exec:java -Dexec.mainClass=io.cervella.memory.bench.VectorSearchBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${*:-100000 500}"

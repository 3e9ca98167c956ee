#!/usr/bin/env bash
# Engine benchmark against llama.cpp (docs/benchmarks.md). Arguments: weight type (q8_0, q4_0, q4_k), threads, model size (bench, qwen3_4b).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
MAVEN_OPTS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx12g" \
  ./mvnw -q -B -pl inference test-compile exec:java -Dexec.mainClass=io.cervella.inference.bench.EngineBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${1:-q8_0} ${2:-2} ${3:-bench}"

#!/usr/bin/env bash
# Embedding throughput against the raw ONNX model (docs/benchmarks.md). Argument: threads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
./mvnw -q -B -pl memory test-compile exec:java -Dexec.mainClass=io.cervella.memory.bench.EmbeddingBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${1:-2}"

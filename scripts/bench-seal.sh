#!/usr/bin/env bash
# The cost of sealing one vault chunk against the JDK's own AES-GCM (docs/benchmarks.md). Argument: chunk size (default 65536).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
./mvnw -q -B -pl vault test-compile exec:java -Dexec.mainClass=io.cervella.vault.bench.SealBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${1:-65536}"

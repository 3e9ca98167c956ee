#!/usr/bin/env bash
# Gateway overhead benchmark (docs/benchmarks.md). Arguments: requests concurrency seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -q -B install -DskipTests
./mvnw -q -B -pl app test-compile exec:java -Dexec.mainClass=io.cervella.app.bench.GatewayOverheadBenchmark \
  -Dexec.classpathScope=test -Dexec.args="${1:-3000} ${2:-16} ${3:-10}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn

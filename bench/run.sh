#!/usr/bin/env bash
# Builds the benchmark module and prints GEMM GFLOP/s for chainrule and libtorch (DJL PyTorch engine, CPU),
# with their ratio, all measured in the same run.
#
#   bench/run.sh                              # all sizes 64..2048, 1 and 2 threads, float32 and float64
#   bench/run.sh -p n=256,512 -p dtype=float32  # any JMH options pass through
#   JAVA=/path/to/jdk/bin/java bench/run.sh   # run the benchmarks on another JVM (Maven's JDK still builds)
#   SKIP_BUILD=1 bench/run.sh ...             # reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -Pbench -pl chainrule-bench -am package -DskipTests
fi
JAVA="${JAVA:-java}"
# JMH forks reuse this JVM binary and class path; libtorch runs offline from the native jar on the class path.
exec "$JAVA" --add-modules jdk.incubator.vector -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
  -cp "chainrule-bench/target/chainrule-bench.jar:chainrule-bench/target/lib/*" \
  io.chainrule.bench.GemmTable "$@"

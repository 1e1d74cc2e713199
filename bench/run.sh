#!/usr/bin/env bash
# Builds the benchmark module and prints tables of chainrule against libtorch (DJL's PyTorch engine, CPU) and, where
# there is one, a hand-written plain-Java floor, all measured in the same run, with their ratios.
#
#   bench/run.sh gemm                         # GEMM GFLOP/s, sizes 64..2048, 1 and 2 threads, float32 and float64
#   bench/run.sh mlp                          # also: overhead, epoch, conv, cnn, lstm; all (every suite, trimmed GEMM sweep)
#   bench/run.sh check                        # sanity check: the three implementations give the same losses
#   bench/run.sh onnx                         # ONNX: export time of the Fashion CNN; ONNX Runtime next to chainrule
#   bench/run.sh tiles                        # sgemm/dgemm GFLOP/s and % of the FMA peak for each GEMM tile shape
#   bench/run.sh jit                          # MLP step and sgemm in a fresh JVM and after other Vector API code
#   bench/run.sh mlp -p batch=128 -p threads=1  # any JMH options pass through
#   bench/run.sh mlp --rounds 3               # run the sides (chainrule, libtorch, hand) in turn, 3 rounds, order
#                                             # turning each round: drift in the machine's speed spreads over all sides
#   bench/run.sh -p n=256,512                 # no suite: gemm
#   JAVA=/path/to/jdk/bin/java bench/run.sh mlp  # run the benchmarks on another JVM (Maven's JDK still builds)
#   SKIP_BUILD=1 bench/run.sh ...             # reuse the last build
#
# The epoch suite reads Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian: apt-get install dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -Pbench -pl chainrule-bench -am package -DskipTests
fi
JAVA="${JAVA:-java}"
# libtorch's OpenMP threads spin while they wait; when other processes hold the cores (a shared 2-core machine),
# its 2-thread runs then slow down up to a hundredfold. Passive waiting (park at once, as chainrule's pool does after a
# short spin) keeps the yardstick meaningful there; OMP_WAIT_POLICY=ACTIVE bench/run.sh ... restores the default.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
MAIN=io.chainrule.bench.BenchTable
RUN=("$JAVA" --add-modules jdk.incubator.vector -cp "chainrule-bench/target/chainrule-bench.jar:chainrule-bench/target/lib/*")
if [[ "${1:-}" == tiles ]]; then
  shift
  for tile in 4x2 6x2 8x2 4x3 6x3 8x3 4x4 6x4; do "${RUN[@]}" -Dchainrule.gemm.tile="$tile" io.chainrule.bench.GemmTileBench "$@"; done
  exit
elif [[ "${1:-}" == jit ]]; then
  shift
  for mode in plain polluted; do "${RUN[@]}" io.chainrule.bench.JitPollutionBench "$mode"; done
  exit
elif [[ "${1:-}" == check ]]; then
  MAIN=io.chainrule.bench.SanityCheck
  shift
elif [[ "${1:-}" == onnx ]]; then
  MAIN=io.chainrule.bench.OnnxBench
  shift
fi
# JMH forks reuse this JVM binary, class path and flags; libtorch runs offline from the native jar on the class path
# (native access: JNA loads it, which JDK 24+ warns about otherwise).
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -DOPT_OUT_TRACKING=true \
  -cp "chainrule-bench/target/chainrule-bench.jar:chainrule-bench/target/lib/*" \
  "$MAIN" "$@"

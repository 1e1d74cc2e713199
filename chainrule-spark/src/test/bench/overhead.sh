#!/usr/bin/env bash
# Spark's overhead on one machine: one Fashion-MNIST MLP epoch (784-256-128-10, Adam, global batch 512) trained
#   a) in one process, 2 threads (the ordinary run),
#   b) in one process with --shards 2 (the reference computation of a Spark run),
#   c) through Spark, --spark local[2] (2 shards, one task each),
# ROUNDS times in turn (a shared machine's speed drifts; turns spread the drift over all three). Prints each run's
# epoch time (the progress line's seconds: steps only) and wall time (JVM start, data, Spark start-up and caching
# included), and the bytes the Spark run shipped per step. Needs /usr/share/datasets/fashion-mnist.
#   chainrule-spark/src/test/bench/overhead.sh [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd -P)"
cd "$root"
rounds="${1:-2}"
work="$(mktemp -d "${TMPDIR:-/tmp}/chainrule-overhead.XXXXXX")"
trap 'rm -rf "$work"' EXIT
common=(train --data fashion-mnist --hidden 256,128 --epochs 1 --batch-size 512 --threads 2 --seed 0)
export SPARK_LOCAL_IP=127.0.0.1
bin/chainrule --help > /dev/null                                   # build first, outside the timings
bin/chainrule "${common[@]}" --quiet --spark 'local[1]' --samples 0 > /dev/null 2>&1 || true  # builds chainrule-spark

run() { # name, extra args...
  local name=$1; shift
  local t0=$SECONDS out
  out="$(CHAINRULE_NO_BUILD=1 bin/chainrule "${common[@]}" "$@" --out "$work/$name-$r" 2>&1)"
  local wall=$((SECONDS - t0))
  local epoch
  epoch="$(grep -oE '[0-9.]+ s$' <<<"$out" | tail -1 | cut -d' ' -f1)"
  printf '%-28s round %d  epoch %6s s  wall %4d s  loss %s\n' "$name" "$r" "$epoch" "$wall" \
    "$(grep -oE 'loss [0-9.]+' <<<"$out" | head -1 | cut -d' ' -f2)"
  grep -E '^spark ' <<<"$out" | sed 's/^/    /' || true
}

for r in $(seq "$rounds"); do
  run one-process
  run shards-2-in-process --shards 2
  run spark-local-2 --spark 'local[2]' -J-Dspark.ui.enabled=false
done
cmp -s "$work/shards-2-in-process-1/model.safetensors" "$work/spark-local-2-1/model.safetensors" \
  && echo "spark local[2] and --shards 2 in one process: identical model.safetensors" \
  || echo "spark local[2] and --shards 2 in one process: models DIFFER"
uptime

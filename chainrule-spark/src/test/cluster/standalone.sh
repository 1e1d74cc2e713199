#!/usr/bin/env bash
# A real Spark standalone cluster on loopback: a master and two workers, each its own JVM started from the Spark jars
# that chainrule-spark builds against, on 127.0.0.1 only. Trains through `bin/chainrule train --spark spark://...`,
# kills one worker's JVM with kill -9 part way through, and checks that the run still ends with the same bits as
# the same run on local[2]; then kills a driver with kill -9 after its first epoch and checks that --resume ends with
# those bits too. Stops every process it started, by its PID, however it exits.
#   chainrule-spark/src/test/cluster/standalone.sh            (CI runs it under `timeout`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd -P)"
cd "$root"
work="$(mktemp -d "${TMPDIR:-/tmp}/chainrule-cluster.XXXXXX")"
pids=()

# A process's descendants, deepest first: bin/chainrule runs java as its child, and a worker its executors.
descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do descendants "$c"; echo "$c"; done
}

cleanup() {
  local code=$?
  # The workers' executors and the drivers' JVMs are their descendants: collect them before stopping the parents.
  local all=()
  for p in ${pids[@]+"${pids[@]}"}; do
    for c in $(descendants "$p"); do all+=("$c"); done
    all+=("$p")
  done
  for p in ${all[@]+"${all[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${all[@]+"${all[@]}"}; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ "$code" != 0 ]; then
    echo "cluster: FAILED (exit $code); logs:" >&2
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT

export SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
train=(train --data spiral --samples 1000 --epochs 4 --batch-size 200 --shards 2 --seed 3)
loopback=(-J-Dspark.driver.host=127.0.0.1 -J-Dspark.driver.bindAddress=127.0.0.1 -J-Dspark.ui.enabled=false)

# 1. The reference on local[2] (this also builds chainrule-spark and writes Spark's class path).
start=$SECONDS
bin/chainrule "${train[@]}" "${loopback[@]}" --quiet --spark 'local[2]' --out "$work/local"
echo "cluster: local[2] reference done ($((SECONDS - start)) s)"

# 2. A Spark home whose jars/ are the class path: the workers start executors from $SPARK_HOME/jars.
mkdir -p "$work/spark-home/jars" "$work/spark-home/conf"
tr ':' '\n' < chainrule-spark/target/spark-classpath.txt | while IFS= read -r j; do
  [ -f "$j" ] && ln -sf "$j" "$work/spark-home/jars/$(basename "$j")"
done
cp chainrule-spark/src/main/config/log4j2-cli.properties "$work/spark-home/conf/log4j2.properties"
export SPARK_HOME="$work/spark-home"
mapfile -t flags < chainrule-spark/src/main/config/jvm-flags.txt
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cp_jars="$SPARK_HOME/conf:$SPARK_HOME/jars/*"

free_port() { # a port nothing listens on, from a range chosen by this script's PID
  local p=$((20000 + ($$ * 7 + $1) % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
port="$(free_port 0)"

"$java" "${flags[@]}" -Xmx512m -cp "$cp_jars" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port "$(free_port 1)" > "$work/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "cluster: the master did not start" >&2; exit 1; }
for w in 1 2; do
  "$java" "${flags[@]}" -Xmx512m -cp "$cp_jars" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 1g --webui-port "$(free_port $((w + 1)))" --work-dir "$work/worker$w" \
    "spark://127.0.0.1:$port" > "$work/worker$w.log" 2>&1 &
  pids+=($!)
done
worker2=${pids[2]}
for _ in $(seq 120); do
  [ "$(grep -c "Successfully registered with master" "$work"/worker*.log 2>/dev/null | awk -F: '{s+=$2} END {print s}')" = 2 ] && break
  sleep 0.5
done
echo "cluster: master on 127.0.0.1:$port, two workers (1 core each)"
start=$SECONDS

# 3. The same run on the cluster; kill -9 worker 2 once the first epoch's checkpoint is written.
CHAINRULE_NO_BUILD=1 bin/chainrule "${train[@]}" "${loopback[@]}" -J-Dspark.executor.memory=512m \
  --spark "spark://127.0.0.1:$port" --out "$work/cluster" > "$work/driver.log" 2>&1 &
driver=$!
pids+=("$driver")
for _ in $(seq 600); do
  [ -f "$work/cluster/metrics.csv" ] && [ "$(wc -l < "$work/cluster/metrics.csv")" -ge 2 ] && break
  kill -0 "$driver" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$driver" 2>/dev/null || { echo "cluster: the driver ended before the kill" >&2; wait "$driver" || true; exit 1; }
executors="$(pgrep -P "$worker2" || true)"
kill -9 "$worker2"
wait "$worker2" 2>/dev/null || true # (reaps it, quietly)
echo "cluster: killed worker 2 (PID $worker2) after epoch 1; its executor was PID(s) ${executors:-none}"
wait "$driver" || { echo "cluster: the run failed after the kill" >&2; exit 1; }
grep -E "^spark " "$work/driver.log" | sed 's/^/cluster: driver: /' || true
echo "cluster: the driver logged $(grep -ciE "lost executor|executor lost|removed|disconnected" "$work/driver.log" || true) lines about the lost executor"
for e in $executors; do kill -0 "$e" 2>/dev/null && kill -9 "$e" 2>/dev/null || true; done

a="$(sha256sum < "$work/local/model.safetensors")"
b="$(sha256sum < "$work/cluster/model.safetensors")"
if [ "$a" != "$b" ]; then
  echo "cluster: FAILED: the cluster's model differs from local[2]'s" >&2
  exit 1
fi
# The optimizer state is in the current checkpoint's folder (checkpoints/step-N/), named in checkpoint.properties.
checkpoint_file() { echo "$1/$(sed -n 's/^checkpoint\.folder=//p' "$1/checkpoint.properties")/$2"; }
cmp -s "$(checkpoint_file "$work/local" optimizer.safetensors)" "$(checkpoint_file "$work/cluster" optimizer.safetensors)" \
  || { echo "cluster: optimizer state differs" >&2; exit 1; }
echo "cluster: OK: model.safetensors identical to local[2]'s after losing a worker (sha256 ${a%% *}; cluster run $((SECONDS - start)) s)"

# 4. The driver killed with kill -9 once epoch 1's checkpoint is complete, then resumed (on local[2]): the same bits.
CHAINRULE_NO_BUILD=1 bin/chainrule "${train[@]}" "${loopback[@]}" --quiet --spark 'local[2]' --out "$work/killed" \
  > "$work/killed.log" 2>&1 &
driver=$!
pids+=("$driver")
for _ in $(seq 600); do
  grep -qs '^progress.epoch=1$' "$work/killed/checkpoint.properties" && break
  kill -0 "$driver" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$driver" 2>/dev/null || { echo "cluster: the driver ended before the kill" >&2; exit 1; }
# The driver is the JVM that bin/chainrule started: killing only the script would leave it training (and pruning the
# checkpoint that the resumed run is reading).
kill -9 $(descendants "$driver") "$driver"
wait "$driver" 2>/dev/null || true
CHAINRULE_NO_BUILD=1 bin/chainrule train --resume "$work/killed" "${loopback[@]}" --quiet --spark 'local[2]' \
  > "$work/resumed.log" 2>&1 || { echo "cluster: resuming the killed run failed" >&2; cat "$work/resumed.log" >&2; exit 1; }
cmp -s "$work/local/model.safetensors" "$work/killed/model.safetensors" \
  || { echo "cluster: FAILED: the resumed run differs from the uninterrupted one" >&2; exit 1; }
echo "cluster: OK: a driver killed with kill -9 after epoch 1 resumed to the same model.safetensors"

#!/usr/bin/env python3
"""Reads chainrule's TensorBoard event files with TensorBoard's own EventAccumulator and checks the numbers.

Not part of the Maven tests (they must not need Python); run by hand after `pip install tensorboard`:

  python3 check_tfevents.py --sample chainrule-cli/target/tb-sample
      the file EventFileWriterTest writes: train/loss = 1/step at steps 1..5, train/lr = 0.01,
      a histogram weights/0.weight of [-1, 0, 0.5, 1, 1] at step 7
  python3 check_tfevents.py RUN_DIR
      a `chainrule train --tensorboard` run: epoch/train_loss and epoch/train_accuracy equal metrics.csv's
      columns (as float32) at its step column, and train/loss has one value per step 1..N

Prints what it read and exits non-zero on the first mismatch.
"""
import csv
import os
import sys

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def load(folder):
    acc = EventAccumulator(folder, size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def expect(cond, what):
    if not cond:
        sys.exit("MISMATCH: " + what)


def check_sample(folder):
    acc = load(folder)
    tags = acc.Tags()
    print("tags:", tags["scalars"], tags["histograms"])
    loss = acc.Scalars("train/loss")
    print("train/loss:", [(e.step, e.value) for e in loss])
    expect([e.step for e in loss] == [1, 2, 3, 4, 5], "train/loss steps")
    expect([e.value for e in loss] == [float(np.float32(1.0 / s)) for s in range(1, 6)], "train/loss values")
    lr = acc.Scalars("train/lr")
    expect([e.value for e in lr] == [float(np.float32(0.01))] * 5, "train/lr values")
    h = acc.Histograms("weights/0.weight")
    expect(len(h) == 1 and h[0].step == 7, "histogram step")
    v = h[0].histogram_value
    print("weights/0.weight at step 7: min %g max %g num %g sum %g sum_squares %g, %d buckets, last count %g"
          % (v.min, v.max, v.num, v.sum, v.sum_squares, len(v.bucket), v.bucket[-1]))
    expect((v.min, v.max, v.num, v.sum, v.sum_squares) == (-1, 1, 5, 1.5, 3.25), "histogram summary")
    expect(sum(v.bucket) == 5 and v.bucket[-1] == 2 and v.bucket_limit[-1] == 1, "histogram buckets")


def check_run(run):
    acc = load(os.path.join(run, "tensorboard"))
    tags = acc.Tags()
    print("scalar tags:", len(tags["scalars"]), sorted(tags["scalars"])[:8], "...")
    print("histogram tags:", len(tags["histograms"]), sorted(tags["histograms"])[:4], "...")
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    for tag, column in (("epoch/train_loss", "train_loss"), ("epoch/train_accuracy", "train_acc")):
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = [(int(r["step"]), float(np.float32(float(r[column])))) for r in rows]
        print(tag, got)
        # metrics.csv rounds to 8 (loss) or 6 (accuracy) significant digits; the event file holds the float32
        expect([s for s, _ in got] == [s for s, _ in want], tag + " steps")
        for (s, g), (_, w) in zip(got, want):
            expect(abs(g - w) <= 1e-6 * max(1.0, abs(w)), "%s at step %d: %r vs %r" % (tag, s, g, w))
    steps = [e.step for e in acc.Scalars("train/loss")]
    last = int(rows[-1]["step"])
    print("train/loss: %d values, steps %d..%d" % (len(steps), steps[0], steps[-1]))
    expect(steps == list(range(1, last + 1)), "train/loss steps 1..%d" % last)
    hist = acc.Histograms(sorted(t for t in tags["histograms"] if t.startswith("weights/"))[0])
    print("first weights histogram: %d snapshots at steps %s" % (len(hist), [h.step for h in hist][:12]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sample":
        check_sample(sys.argv[2])
    elif len(sys.argv) == 2:
        check_run(sys.argv[1])
    else:
        sys.exit(__doc__)
    print("OK: TensorBoard's EventAccumulator read back exactly what was written")

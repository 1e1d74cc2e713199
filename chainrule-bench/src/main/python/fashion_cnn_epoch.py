"""PyTorch's time for one epoch of the examples' Fashion CNN (io.chainrule.examples.FashionCnn), for comparison.

The same network (conv-BN-ReLU-pool x2, dropout, Linear(3136, 128), ReLU, dropout, Linear(128, 10)), Adam 1e-3,
batch 64, shuffled, images normalised with mean 0.2860 and std 0.3530, on CPU with a fixed number of intra-op threads.
Prints each epoch's time, train loss and test accuracy.

    python3 fashion_cnn_epoch.py [--threads 2] [--epochs 1] [--train-size N] [--data /usr/share/datasets/fashion-mnist]

--train-size N trains on the first N images only (a part of an epoch, for a loaded machine); the CPU time printed is
the process's (all its threads), which other processes on the machine do not inflate the way they inflate wall time.
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    """A gzipped IDX file as a numpy array (the format Fashion-MNIST ships in)."""
    with gzip.open(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(data, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(data, prefix + "-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(data, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
    x = (x - 0.2860) / 0.3530
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--train-size", type=int, default=0)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x, y = load(a.data, "train")
    if a.train_size > 0:
        x, y = x[:a.train_size], y[:a.train_size]
    tx, ty = load(a.data, "test")
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    for epoch in range(1, a.epochs + 1):
        net.train()
        start, cpu = time.perf_counter(), time.process_time()
        order = torch.randperm(len(x))
        total, batches = 0.0, 0
        for i in range(0, len(x), a.batch):
            idx = order[i:i + a.batch]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        net.eval()
        with torch.no_grad():
            correct = sum((net(tx[i:i + 500]).argmax(1) == ty[i:i + 500]).sum().item() for i in range(0, len(tx), 500))
        print(f"epoch {epoch}: train loss {total / batches:.4f}, test accuracy {correct / len(tx):.4f}, "
              f"{seconds:.1f} s ({1000 * seconds / batches:.2f} ms/step wall, {1000 * cpu / batches:.2f} ms/step CPU)",
              flush=True)


if __name__ == "__main__":
    main()

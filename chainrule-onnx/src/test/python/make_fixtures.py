"""Writes the ONNX import fixtures: small models built from chainrule's layers in PyTorch, exported with
torch.onnx.export (opset 17, TorchScript exporter), each with inputs and PyTorch's outputs at batch sizes 1 and 5.

    pip install torch onnx onnxruntime safetensors onnxscript
    python3 chainrule-onnx/src/test/python/make_fixtures.py chainrule-onnx/src/test/resources/onnx

For each NAME it writes NAME.onnx and NAME.safetensors (input_1, output_1, input_5, output_5). The models in DYNAMO are
also exported with the newer exporter (torch.export, torch.onnx.export's default from PyTorch 2.9; opset 20, where
GELU is one Gelu op and ReduceMean takes its axes as an input) as NAME_dynamo.onnx with the same inputs and outputs;
mlp_dynamo keeps its weights in mlp_dynamo.onnx.data, as that exporter does by default.
Seeds are fixed, so a rerun writes the same numbers. The tests never run Python; they read these files.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from safetensors.torch import save_file


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.LeakyReLU(0.1),
                                 nn.Linear(16, 12), nn.Sigmoid(), nn.Linear(12, 8), nn.Tanh(), nn.Linear(8, 4),
                                 nn.LogSoftmax(dim=1))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, stride=1, padding=1), nn.ReLU(), nn.AvgPool2d(2),
            nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 6, 3, stride=2, padding=1), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Flatten(), nn.Linear(6, 5), nn.Softmax(dim=1))

    def forward(self, x):
        return self.head(self.features(x))


class Conv1dNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(3, 6, 3, stride=2, padding=1), nn.BatchNorm1d(6), nn.ReLU(),
                                 nn.Conv1d(6, 4, 3), nn.Flatten(), nn.Linear(4 * 4, 3))

    def forward(self, x):
        return self.net(x)


class EmbeddingLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 12, batch_first=True)
        self.head = nn.Linear(12, 3)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out)


class Gru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 10)  # sequence first: [seq, batch, features]

    def forward(self, x):
        return self.gru(x)[0]


class TwoLayerRnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(5, 8, num_layers=2, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0]


class LayerNormGelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.GELU(), nn.Linear(16, 8), nn.BatchNorm1d(8),
                                 nn.Linear(8, 6), nn.Softmax(dim=-1))

    def forward(self, x):
        return self.net(x)


class Residual(nn.Module):
    """A user-defined Module: a residual connection around two linear layers."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 10)
        self.fc2 = nn.Linear(10, 10)
        self.out = nn.Linear(10, 2)

    def forward(self, x):
        h = x + self.fc2(torch.relu(self.fc1(x)))
        return self.out(torch.tanh(h))


class CnnPools(nn.Module):
    """Pooling variants: padded max pooling, average pooling with and without the padding counted, ceil_mode,
    adaptive pooling to 1x3, a 1x3 kernel with per-axis strides, and a depthwise convolution."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0)), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1),
            nn.AvgPool2d(3, stride=1, padding=1), nn.Conv2d(4, 4, 3, padding=1, groups=4),
            nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            nn.MaxPool2d((1, 3), stride=(1, 2), ceil_mode=True), nn.AdaptiveAvgPool2d((1, 3)), nn.Flatten())

    def forward(self, x):
        return self.net(x)


class Bidirectional(nn.Module):
    """A 2-layer bidirectional LSTM under a bidirectional GRU and a ReLU RNN, sequence first."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, num_layers=2, bidirectional=True)
        self.gru = nn.GRU(10, 3, bidirectional=True)
        self.rnn = nn.RNN(6, 4, nonlinearity="relu")

    def forward(self, x):
        return self.rnn(self.gru(self.lstm(x)[0])[0])[0]


class GeluTanh(nn.Module):
    """GELU's tanh approximation (exported as Pow, Mul, Add, Tanh), ELU, softplus-like pieces and a Sigmoid gate."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.gate = nn.Linear(6, 6)

    def forward(self, x):
        h = nn.functional.gelu(self.fc(x), approximate="tanh")
        return nn.functional.elu(h) * torch.sigmoid(self.gate(x)) + x.mean(dim=-1, keepdim=True)


def randomize_batch_norm(model, gen):
    """Non-trivial running statistics, so that the test sees whether they are used."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def fixtures(gen):
    """(name, model, input of a batch size, the input's batch axis, torch.onnx.export's do_constant_folding)."""
    tokens = lambda b: torch.randint(0, 20, (b, 7), generator=gen)
    return [
        ("mlp", Mlp(), lambda b: torch.randn(b, 8, generator=gen), {0: "batch"}),
        ("cnn", Cnn(), lambda b: torch.randn(b, 1, 12, 12, generator=gen), {0: "batch"}),
        ("conv1d", Conv1dNet(), lambda b: torch.randn(b, 3, 12, generator=gen), {0: "batch"}),
        ("embedding_lstm", EmbeddingLstm(), tokens, {0: "batch"}),
        ("gru", Gru(), lambda b: torch.randn(6, b, 6, generator=gen), {1: "batch"}),
        ("rnn2", TwoLayerRnn(), lambda b: torch.randn(b, 4, 5, generator=gen), {0: "batch"}),
        ("layernorm_gelu", LayerNormGelu(), lambda b: torch.randn(b, 8, generator=gen), {0: "batch"}),
        ("residual", Residual(), lambda b: torch.randn(b, 10, generator=gen), {0: "batch"}),
        ("cnn_pools", CnnPools(), lambda b: torch.randn(b, 2, 13, 21, generator=gen), {0: "batch"}),
        ("bidirectional", Bidirectional(), lambda b: torch.randn(5, b, 4, generator=gen), {1: "batch"}),
        ("gelu_tanh", GeluTanh(), lambda b: torch.randn(b, 6, generator=gen), {0: "batch"}),
        # without constant folding the initializers are PyTorch's own parameters (lstm.weight_ih_l0, the BatchNorm
        # statistics) and the graph itself re-orders the gates and normalizes: the shape arithmetic at its fullest
        ("embedding_lstm_unfolded", EmbeddingLstm(), tokens, {0: "batch"}, False),
        ("cnn_unfolded", Cnn(), lambda b: torch.randn(b, 1, 12, 12, generator=gen), {0: "batch"}, False),
    ]


DYNAMO = ("mlp", "cnn", "embedding_lstm", "layernorm_gelu", "gelu_tanh")


def export_dynamo(model, example, batch_axes, path, external_data):
    dim = torch.export.Dim("batch", min=1)
    torch.onnx.export(model, (example,), path, dynamo=True, input_names=["input"], output_names=["output"],
                      dynamic_shapes=({axis: dim for axis in batch_axes},), verbose=False, external_data=external_data)
    # the exporter annotates nodes and values with Python stack traces (this machine's paths): drop them
    m = onnx.load(path)
    for item in list(m.graph.node) + list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        del item.metadata_props[:]
        item.doc_string = ""
    if external_data:
        onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(path) + ".data", size_threshold=0)
    else:
        onnx.save(m, path)
    onnx.checker.check_model(onnx.load(path))


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    for name, model, make_input, batch_axes, *folding in fixtures(gen):
        randomize_batch_norm(model, gen)
        model.eval()
        path = os.path.join(out_dir, name + ".onnx")
        example = make_input(2)
        out_axes = batch_axes
        torch.onnx.export(model, (example,), path, opset_version=17, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": batch_axes, "output": out_axes}, dynamo=False,
                          do_constant_folding=folding[0] if folding else True)
        onnx.checker.check_model(onnx.load(path))
        session = ort.InferenceSession(path)
        tensors = {}
        for batch in (1, 5):
            x = make_input(batch)
            with torch.no_grad():
                y = model(x)
            tensors[f"input_{batch}"] = x.contiguous()
            tensors[f"output_{batch}"] = y.contiguous()
            ort_y = session.run(None, {"input": x.numpy()})[0]
            print(f"{name} batch {batch}: onnxruntime vs torch max |diff| {np.abs(ort_y - y.numpy()).max():.3g}")
        save_file(tensors, os.path.join(out_dir, name + ".safetensors"))
        if name in DYNAMO:
            dynamo_path = os.path.join(out_dir, name + "_dynamo.onnx")
            # the MLP keeps this exporter's default, its weights in NAME_dynamo.onnx.data (ONNX's external data)
            export_dynamo(model, example, batch_axes, dynamo_path, external_data=name == "mlp")
            save_file(tensors, os.path.join(out_dir, name + "_dynamo.safetensors"))
            session = ort.InferenceSession(dynamo_path)
            diff = max(np.abs(session.run(None, {"input": tensors[f"input_{b}"].numpy()})[0]
                              - tensors[f"output_{b}"].numpy()).max() for b in (1, 5))
            m = onnx.load(dynamo_path)
            print(f"{name}_dynamo: opset {m.opset_import[0].version}, onnxruntime vs torch {diff:.3g}, "
                  f"ops {sorted({n.op_type for n in m.graph.node})}")
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(f"{name}: {os.path.getsize(path)} bytes, ops {ops}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "chainrule-onnx/src/test/resources/onnx")

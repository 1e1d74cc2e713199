package io.chainrule.examples;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.TensorDataset;
import io.chainrule.data.Transforms;
import io.chainrule.nn.Module;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Shared Fashion-MNIST helpers: normalization, subsets and test accuracy. */
final class Mnist {
    /** Fashion-MNIST's training-set pixel mean and standard deviation. */
    static final UnaryOperator<Batch> NORMALIZE = Transforms.normalize(0.2860, 0.3530);

    private Mnist() {}

    /** The first {@code n} examples (all of them when n is 0 or larger than the set). */
    static TensorDataset head(TensorDataset d, int n) {
        if (n <= 0 || n >= d.size()) return d;
        return new TensorDataset(d.x().narrow(0, 0, n).contiguous(), d.y().narrow(0, 0, n).contiguous());
    }

    /** Fraction of {@code test} that {@code model} (after {@code prepare}) classifies correctly, in eval mode. */
    static double accuracy(Module model, TensorDataset test, Function<Tensor, Tensor> prepare) {
        model.eval();
        long correct = 0;
        try (var g = Autograd.noGrad()) {
            for (Batch b : new DataLoader(test, 500).transform(NORMALIZE)) {
                correct += (long) model.forward(prepare.apply(b.x())).argmax(1, false).eq(b.y()).sum().item();
            }
        }
        model.train();
        return correct / (double) test.size();
    }
}

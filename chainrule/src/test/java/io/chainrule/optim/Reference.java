package io.chainrule.optim;

/**
 * Independent scalar float64 implementations of the update rules, written from the pseudo-code in PyTorch's
 * documentation (torch.optim.SGD, Adam, AdamW, RMSprop, Adagrad), element by element.
 */
final class Reference {
    private Reference() {}

    interface Rule {
        /** Updates θ in place given the gradient at step t (1-based). */
        void step(double[] theta, double[] g, int t);
    }

    static double[] run(Rule rule, int steps) {
        double[] theta = QuadraticProblem.initial();
        for (int t = 1; t <= steps; t++) rule.step(theta, QuadraticProblem.gradient(theta), t);
        return theta;
    }

    static Rule sgd(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        double[] buf = new double[8];
        return (theta, grad, t) -> {
            for (int i = 0; i < theta.length; i++) {
                double g = grad[i];
                if (weightDecay != 0) g = g + weightDecay * theta[i];
                if (momentum != 0) {
                    buf[i] = t > 1 ? momentum * buf[i] + (1 - dampening) * g : g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                theta[i] = theta[i] - lr * g;
            }
        };
    }

    static Rule adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                     boolean decoupled) {
        double[] m = new double[8], v = new double[8], vMax = new double[8];
        return (theta, grad, t) -> {
            for (int i = 0; i < theta.length; i++) {
                double g = grad[i];
                if (decoupled) theta[i] = theta[i] - lr * weightDecay * theta[i];
                else if (weightDecay != 0) g = g + weightDecay * theta[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat;
                if (amsgrad) {
                    vMax[i] = Math.max(vMax[i], v[i]);
                    vHat = vMax[i] / (1 - Math.pow(beta2, t));
                } else {
                    vHat = v[i] / (1 - Math.pow(beta2, t));
                }
                theta[i] = theta[i] - lr * mHat / (Math.sqrt(vHat) + eps);
            }
        };
    }

    static Rule rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        double[] v = new double[8], gAve = new double[8], buf = new double[8];
        return (theta, grad, t) -> {
            for (int i = 0; i < theta.length; i++) {
                double g = grad[i];
                if (weightDecay != 0) g = g + weightDecay * theta[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                double vTilde = v[i];
                if (centered) {
                    gAve[i] = gAve[i] * alpha + (1 - alpha) * g;
                    vTilde = vTilde - gAve[i] * gAve[i];
                }
                if (momentum > 0) {
                    buf[i] = momentum * buf[i] + g / (Math.sqrt(vTilde) + eps);
                    theta[i] = theta[i] - lr * buf[i];
                } else {
                    theta[i] = theta[i] - lr * g / (Math.sqrt(vTilde) + eps);
                }
            }
        };
    }

    static Rule adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        double[] sum = new double[8];
        java.util.Arrays.fill(sum, initialAccumulator);
        return (theta, grad, t) -> {
            for (int i = 0; i < theta.length; i++) {
                double g = grad[i];
                if (weightDecay != 0) g = g + weightDecay * theta[i];
                double clr = lr / (1 + (t - 1) * lrDecay);
                sum[i] = sum[i] + g * g;
                theta[i] = theta[i] - clr * g / (Math.sqrt(sum[i]) + eps);
            }
        };
    }
}

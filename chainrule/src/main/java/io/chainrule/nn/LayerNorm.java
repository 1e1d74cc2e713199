package io.chainrule.nn;

import io.chainrule.LayerPrimitives;
import io.chainrule.OpTracer;
import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * Normalises over the last dimension: y = (x − mean) / √(var + eps) · weight + bias, with the biased variance
 * (divide by n) as PyTorch. {@code weight} starts at 1 and {@code bias} at 0; eps is 1e-5 by default.
 */
public class LayerNorm extends Module {
    private final int normalizedShape;
    private final double eps;
    private final boolean elementwiseAffine;

    public LayerNorm(int normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(int normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape <= 0) throw new IllegalArgumentException("LayerNorm: size must be positive, got " + normalizedShape);
        if (!(eps >= 0)) throw new IllegalArgumentException("LayerNorm: eps must be >= 0, got " + eps);
        this.normalizedShape = normalizedShape;
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != normalizedShape) {
            throw new IllegalArgumentException("LayerNorm: input " + Arrays.toString(x.shape()) + " must end in dimension "
                    + normalizedShape);
        }
        Tensor centered = x.sub(x.mean(-1, true));
        Tensor var = centered.square().mean(-1, true);
        Tensor y = centered.div(var.add(eps).sqrt());
        Tensor out = LayerPrimitives.named(elementwiseAffine ? y.mul(param("weight")).add(param("bias")) : y, "NativeLayerNormBackward0");
        // one op to a trace (an exporter maps the layer, not its parts)
        return OpTracer.isTracing() ? OpTracer.op(out, "NativeLayerNormBackward0", new Tensor[] {x, paramOrNull("weight"),
                paramOrNull("bias")}, "eps", eps) : out;
    }

    @Override
    protected String extraRepr() {
        return "(" + normalizedShape + ",), eps=" + Repr.pyFloat(eps) + ", elementwise_affine=" + Repr.pyBool(elementwiseAffine);
    }
}

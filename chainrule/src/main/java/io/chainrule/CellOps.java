package io.chainrule;

/**
 * One recurrent cell family's share of {@link RecurrentOps}' fused layer: the elementwise pass of a step, forward,
 * and its backward written twice with the same formulas, as PyTorch pairs its fused cells' backward with a
 * differentiable one. {@link RecurrentOps} does the products with the weights and the walk over the steps.
 */
interface CellOps {
    /** The op's name in error messages ({@code lstm}). */
    String op();

    /** The graph node's name ({@code LstmBackward}). */
    String node();

    /** Step t's forward over batch rows [r0, r1): from the step's gate pre-activations to the new state. */
    void forwardRows(RecurrentOps.Buffers b, int t, int r0, int r1);

    /**
     * Step t's fused backward over batch rows [r0, r1): from the output's gradient plus the carried dh (and dc) to
     * the gates' gradients dGi (and dGh, apart only for the GRU); dh (and dc) then hold what goes to step t − 1 but
     * for the product dGh·W_hh, which {@link RecurrentOps} adds.
     */
    void backwardRows(RecurrentOps.Buffers b, RecurrentOps.Grads g, int t, int r0, int r1);

    /**
     * The same backward in differentiable tensor ops over the whole sequence, after recomputing the forward from the
     * inputs: fills {@code dGi}, {@code dGh} (the GRU; others leave it) and {@code hPrev} per step, and returns
     * {dh0, dc0} (dc0 null but for the LSTM).
     */
    Tensor[] backwardInTensorOps(Tensor gradOut, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh,
                                 Tensor bHh, Tensor[] dGi, Tensor[] dGh, Tensor[] hPrev);
}

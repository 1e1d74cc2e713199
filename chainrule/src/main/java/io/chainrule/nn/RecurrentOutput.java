package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * What a recurrent layer or cell returns, and what it takes as its initial state.
 *
 * <p>For the layers ({@link RNN}, {@link LSTM}, {@link GRU}) {@code output} is the top layer's hidden state at every
 * step ({@code [seq, batch, hidden]}, or {@code [batch, seq, hidden]} with batchFirst), and {@code h} / {@code c} the
 * final hidden / cell state of every layer ({@code [numLayers, batch, hidden]} either way). For the cells, {@code h}
 * and {@code c} are the next state and {@code output} is {@code h}. {@code c} is null except for LSTM.
 *
 * <pre>{@code
 * RecurrentOutput out = lstm.forward(x, null);                              // zero initial state
 * RecurrentOutput next = lstm.forward(x2, new RecurrentOutput(null, out.h(), out.c()));
 * }</pre>
 *
 * @param output the output sequence (a layer) or the next hidden state (a cell); null in a state passed in
 * @param h      the hidden state; null in a state passed in means zeros
 * @param c      the cell state (LSTM only); null means zeros
 */
public record RecurrentOutput(Tensor output, Tensor h, Tensor c) {}

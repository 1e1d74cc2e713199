package io.chainrule.tensor;

/** A 2-D sliding window as the convolution kernels read it: kernel, stride, padding and dilation per dimension. */
public interface ConvWindow {
    int kH();

    int kW();

    int sH();

    int sW();

    int pH();

    int pW();

    int dH();

    int dW();
}

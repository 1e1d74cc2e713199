/**
 * ONNX: how a model leaves chainrule ({@link io.chainrule.onnx.Onnx#export}) and how one trained elsewhere comes in
 * ({@link io.chainrule.onnx.Onnx#load}, an {@link io.chainrule.onnx.OnnxModel}).
 */
package io.chainrule.onnx;

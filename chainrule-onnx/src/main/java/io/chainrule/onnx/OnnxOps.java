package io.chainrule.onnx;

import io.chainrule.Tensor;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every ONNX op type the loader runs (default domain), and where it is implemented. Attributes an op compiler does
 * not read are refused by name at load time, so each line's op supports exactly what its compiler reads.
 */
final class OnnxOps {
    private OnnxOps() {}

    private static final Map<String, OpCompiler> OPS = new TreeMap<>();

    private static void op(String type, OpCompiler compiler) {
        OPS.put(type, compiler);
    }

    static {
        // arithmetic (NumPy broadcasting; integers stay integers)
        op("Add", MathOps.binary(Tensor::add));
        op("Sub", MathOps.binary(Tensor::sub));
        op("Mul", MathOps.binary(Tensor::mul));
        op("Div", MathOps.binary(MathOps::div));
        op("Pow", MathOps.binary(MathOps::pow));
        op("Neg", MathOps.unary(Tensor::neg));
        op("Abs", MathOps.unary(Tensor::abs));
        op("Sqrt", MathOps.unary(Tensor::sqrt));
        op("Exp", MathOps.unary(Tensor::exp));
        op("Log", MathOps.unary(Tensor::log));
        op("Reciprocal", MathOps.unary(Tensor::reciprocal));
        op("Sin", MathOps.unary(Tensor::sin));
        op("Cos", MathOps.unary(Tensor::cos));
        op("Tan", MathOps.unary(MathOps::tan));
        op("Sinh", MathOps.unary(MathOps::sinh));
        op("Cosh", MathOps.unary(MathOps::cosh));
        op("Asinh", MathOps.unary(MathOps::asinh));
        op("Acosh", MathOps.unary(MathOps::acosh));
        op("Atanh", MathOps.unary(MathOps::atanh));
        op("Erf", MathOps.unary(Tensor::erf));
        op("Sign", MathOps.unary(Tensor::sign));
        op("Floor", MathOps.stepFunction(Math::floor));
        op("Ceil", MathOps.stepFunction(Math::ceil));
        op("Round", MathOps.stepFunction(Math::rint)); // halves to even, as ONNX specifies
        op("Max", MathOps.variadic(Tensor::maximum));
        op("Min", MathOps.variadic(Tensor::minimum));
        op("Sum", MathOps.variadic(Tensor::add));
        op("Mean", MathOps.mean());
        op("Mod", MathOps.mod());
        op("Clip", MathOps.clip());
        op("Cast", MathOps.cast());
        op("CastLike", MathOps.castLike());
        op("Identity", MathOps.unary(ShapeOps::identity));

        // activations
        op("Relu", MathOps.unary(Tensor::relu));
        op("LeakyRelu", MathOps.leakyRelu());
        op("Sigmoid", MathOps.unary(Tensor::sigmoid));
        op("Tanh", MathOps.unary(Tensor::tanh));
        op("Gelu", MathOps.gelu());
        op("Elu", MathOps.elu());
        op("Selu", MathOps.selu());
        op("Celu", MathOps.celu());
        op("HardSigmoid", MathOps.hardSigmoid());
        op("HardSwish", MathOps.unary(MathOps::hardSwish));
        op("Softplus", MathOps.unary(MathOps::softplus));
        op("Softsign", MathOps.unary(MathOps::softsign));
        op("ThresholdedRelu", MathOps.thresholdedRelu());
        op("PRelu", MathOps.binary(MathOps::prelu));
        op("Shrink", MathOps.shrink());
        op("Softmax", ReduceOps.softmax(false));
        op("LogSoftmax", ReduceOps.softmax(true));

        // comparisons and logic (BOOL results)
        op("Equal", MathOps.binary(Tensor::eq));
        op("Greater", MathOps.binary(Tensor::gt));
        op("GreaterOrEqual", MathOps.binary(Tensor::ge));
        op("Less", MathOps.binary(Tensor::lt));
        op("LessOrEqual", MathOps.binary(Tensor::le));
        op("Not", MathOps.unary(MathOps::not));
        op("And", MathOps.binary(MathOps::and));
        op("Or", MathOps.binary(MathOps::or));
        op("Xor", MathOps.binary(MathOps::xor));
        op("IsNaN", MathOps.unary(Tensor::isNan));
        op("IsInf", MathOps.isInf());
        op("Where", MathOps.where());

        // reductions
        op("ReduceSum", ReduceOps.reduce(ReduceOps::sum));
        op("ReduceMean", ReduceOps.reduce(ReduceOps::mean));
        op("ReduceMax", ReduceOps.reduce(ReduceOps::max));
        op("ReduceMin", ReduceOps.reduce(ReduceOps::min));
        op("ReduceProd", ReduceOps.reduce(ReduceOps::prod));
        op("ReduceLogSumExp", ReduceOps.reduce(ReduceOps::logSumExp));
        op("ReduceSumSquare", ReduceOps.reduce(Tensor::square, ReduceOps::sum, x -> x));
        op("ReduceL1", ReduceOps.reduce(Tensor::abs, ReduceOps::sum, x -> x));
        op("ReduceL2", ReduceOps.reduce(Tensor::square, ReduceOps::sum, Tensor::sqrt));
        op("ReduceLogSum", ReduceOps.reduce(x -> x, ReduceOps::sum, Tensor::log));
        op("ArgMax", ReduceOps.argExtreme(true));
        op("ArgMin", ReduceOps.argExtreme(false));

        // shapes and layout
        op("Shape", ShapeOps.shape());
        op("Size", MathOps.unary(ShapeOps::size));
        op("Reshape", ShapeOps.reshape());
        op("Flatten", ShapeOps.flatten());
        op("Squeeze", ShapeOps.squeeze());
        op("Unsqueeze", ShapeOps.unsqueeze());
        op("Transpose", ShapeOps.transpose());
        op("Expand", ShapeOps.expand());
        op("Concat", ShapeOps.concat());
        op("Split", ShapeOps.split());
        op("Slice", ShapeOps.slice());
        op("Gather", ShapeOps.gather());
        op("GatherElements", ShapeOps.gatherElements());
        op("Tile", ShapeOps.tile());
        op("Pad", ShapeOps.pad());
        op("Constant", ShapeOps.constant());
        op("ConstantOfShape", ShapeOps.constantOfShape());
        op("Range", ShapeOps.range());
        op("DepthToSpace", IndexingOps.depthToSpace());
        op("SpaceToDepth", IndexingOps.spaceToDepth());

        // selection by position
        op("Hardmax", IndexingOps.hardmax());
        op("OneHot", IndexingOps.oneHot());
        op("Trilu", IndexingOps.trilu());
        op("EyeLike", IndexingOps.eyeLike());
        op("CumSum", IndexingOps.cumSum());
        op("TopK", IndexingOps.topK());
        op("NonZero", MathOps.unary(IndexingOps::nonZero));

        // layers
        op("MatMul", MathOps.binary(LayerOps::matmul));
        op("Gemm", LayerOps.gemm());
        op("Conv", LayerOps.conv());
        op("ConvTranspose", LayerOps.convTranspose());
        op("MaxPool", LayerOps.maxPool());
        op("AveragePool", LayerOps.averagePool());
        op("GlobalAveragePool", MathOps.unary(LayerOps::globalAveragePool));
        op("GlobalMaxPool", MathOps.unary(LayerOps::globalMaxPool));
        op("BatchNormalization", LayerOps.batchNormalization());
        op("LayerNormalization", LayerOps.layerNormalization());
        op("InstanceNormalization", LayerOps.instanceNormalization());
        op("Dropout", LayerOps.dropout());
        op("RNN", RecurrentLayers.compiler(RecurrentLayers.Kind.RNN));
        op("LSTM", RecurrentLayers.compiler(RecurrentLayers.Kind.LSTM));
        op("GRU", RecurrentLayers.compiler(RecurrentLayers.Kind.GRU));
    }

    /** The compiler for {@code opType}, or null when the loader does not support it. */
    static OpCompiler get(String opType) {
        return OPS.get(opType);
    }

    /** The supported op types, sorted. */
    static Map<String, OpCompiler> all() {
        return Collections.unmodifiableMap(OPS);
    }
}

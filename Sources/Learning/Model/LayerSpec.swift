/// Padding of a stride-1 convolution.
/// `valid`: no padding, output = input − kernel + 1. `same`: zero padding so output = input;
/// for an even kernel the extra row/column goes after (bottom/right), as in TensorFlow/Keras.
public enum Padding: String, Sendable {
    case valid, same
}

/// One layer of a sequential model, as written in a spec string.
public enum LayerSpec: Equatable, Sendable, CustomStringConvertible {
    /// Fully connected on a flat input: y = x·W + b, W is [in, units] (Keras layout).
    case dense(units: Int)
    /// 2-D convolution, stride 1, square `kernel`, NHWC; weight [kernel, kernel, cin, filters].
    case conv(filters: Int, kernel: Int, padding: Padding)
    /// Non-overlapping max pooling with window and stride `size` (trailing rows/cols dropped).
    case maxPool(size: Int)
    /// y = max(0, x).
    case relu
    /// [h, w, c] → [h·w·c]; the memory layout is unchanged.
    case flatten

    /// Canonical text: `dense(10)`, `conv(32,3)`, `conv(32,3,same)`, `maxpool(2)`, `relu`, `flatten`.
    public var description: String {
        switch self {
        case .dense(let units): return "dense(\(units))"
        case .conv(let filters, let kernel, .valid): return "conv(\(filters),\(kernel))"
        case .conv(let filters, let kernel, .same): return "conv(\(filters),\(kernel),same)"
        case .maxPool(let size): return "maxpool(\(size))"
        case .relu: return "relu"
        case .flatten: return "flatten"
        }
    }
}

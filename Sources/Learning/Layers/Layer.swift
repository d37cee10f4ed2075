/// One differentiable stage of a sequential network, working on whole batches in NHWC layout.
///
/// Layers own no parameters: the network passes pointers into its single flat parameter and
/// gradient vectors (the parameter-server key space), so a layer's weights are a view, and the
/// optimizer and the wire see one contiguous vector. Layers do own their scratch (im2col
/// matrices, argmax indices), sized for the largest batch seen and then reused, so a training
/// step performs no heap allocation in steady state.
///
/// Contract:
/// - `forward` reads `batch × inputCount` floats and writes `batch × outputCount` floats.
/// - `backward` must follow `forward` on the same input and batch (layers may reuse what the
///   forward pass cached). It OVERWRITES the layer's parameter gradients with ∂L/∂θ for the
///   given ∂L/∂y, and writes ∂L/∂x when `inputGradient` is non-nil (nil for the first layer,
///   which saves a GEMM).
public protocol Layer: AnyObject {
    /// Shape of one sample going in / coming out (no batch dimension).
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    /// Parameter tensors in canonical order (weight, then bias): name suffix and shape.
    var parameterShapes: [(name: String, shape: [Int])] { get }

    /// Fills this layer's `parameterCount` parameters: weights uniform in ±limit, biases zero.
    /// limit = √(6 / fanIn) (He-uniform) when `heUniform`, else √(6 / (fanIn + fanOut)) (Glorot).
    func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                              generator: inout SeededGenerator)

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                 parameters: UnsafePointer<Float>, batch: Int)

    func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                  outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                  parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                  batch: Int)
}

extension Layer {
    /// Floats per sample in / out.
    public var inputCount: Int { inputShape.reduce(1, *) }
    public var outputCount: Int { outputShape.reduce(1, *) }
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }
}

/// Shared weight initialisation: `count` weights uniform in [−limit, limit) drawn in index
/// order from `generator`, then `biasCount` zeros. Drawing order is part of the contract
/// (every process must produce the same initial model from the same seed).
func fillUniform(_ parameters: UnsafeMutableBufferPointer<Float>, weightCount: Int, limit: Float,
                 generator: inout SeededGenerator) {
    for i in 0..<min(weightCount, parameters.count) {
        parameters[i] = (2 * generator.nextUnitFloat() - 1) * limit
    }
    for i in min(weightCount, parameters.count)..<parameters.count {
        parameters[i] = 0
    }
}

/// Column sums of a row-major `rows × columns` matrix: out[j] = Σ_r m[r, j] (bias gradients).
/// Rows are added in order, so the result is deterministic.
@inline(__always)
func columnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    out.update(repeating: 0, count: columns)
    var row = m
    for _ in 0..<rows {
        for j in 0..<columns { out[j] += row[j] }
        row += columns
    }
}

/// Writes `bias` into every row of a `rows × columns` matrix, so a following GEMM with β = 1
/// computes x·W + b in one pass over the output.
@inline(__always)
func broadcastRows(_ bias: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    var row = out
    for _ in 0..<rows {
        row.update(from: bias, count: columns)
        row += columns
    }
}

/// Rectified linear unit, elementwise.
///
/// Forward:  y = max(0, x)
/// Backward: ∂x = ∂y · [y > 0]   (the subgradient at 0 is taken as 0, as TensorFlow does)
public final class ReLU: Layer {
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public var parameterShapes: [(name: String, shape: [Int])] { [] }

    public init(shape: [Int]) {
        inputShape = shape
    }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                                     generator: inout SeededGenerator) {}

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        parameters: UnsafePointer<Float>, batch: Int) {
        let n = batch * inputCount
        for i in 0..<n {
            let v = input[i]
            output[i] = v > 0 ? v : 0
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        guard let dx else { return }
        let n = batch * inputCount
        for i in 0..<n {
            dx[i] = output[i] > 0 ? dy[i] : 0
        }
    }
}

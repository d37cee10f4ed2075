/// [h, w, c] → [h·w·c]. NHWC storage is already flat per sample, so forward and backward are
/// plain copies; the layer exists so that shapes (and Keras-style specs) stay explicit.
public final class Flatten: Layer {
    public let inputShape: [Int]
    public let outputShape: [Int]
    public var parameterShapes: [(name: String, shape: [Int])] { [] }

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
        outputShape = [inputShape.reduce(1, *)]
    }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                                     generator: inout SeededGenerator) {}

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        parameters: UnsafePointer<Float>, batch: Int) {
        output.update(from: input, count: batch * inputCount)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        dx?.update(from: dy, count: batch * inputCount)
    }
}

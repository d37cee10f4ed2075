extension LayerSpec {
    /// Builds the layer for a per-sample `inputShape`, or explains why it does not fit.
    /// `position` is the 0-based index in the spec, used in messages.
    func makeLayer(inputShape: [Int], position: Int) throws -> any Layer {
        func mismatch(_ why: String) -> ModelSpecError {
            ModelSpecError(code: .incompatibleShape, token: description,
                           detail: "layer \(position + 1) \"\(description)\" cannot take input of shape \(inputShape): \(why)")
        }
        switch self {
        case .dense(let units):
            guard inputShape.count == 1 else {
                throw mismatch("dense needs a flat input; insert flatten before it")
            }
            return Dense(inputSize: inputShape[0], units: units)
        case .conv(let filters, let kernel, let padding):
            guard inputShape.count == 3 else {
                throw mismatch("conv needs an [height, width, channels] input")
            }
            let layer = Conv2D(height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                               filters: filters, kernel: kernel, padding: padding)
            guard layer.outHeight >= 1, layer.outWidth >= 1 else {
                throw mismatch("a \(kernel)×\(kernel) kernel with \(padding) padding leaves no output")
            }
            return layer
        case .maxPool(let size):
            guard inputShape.count == 3 else {
                throw mismatch("maxpool needs an [height, width, channels] input")
            }
            let layer = MaxPool2D(height: inputShape[0], width: inputShape[1], channels: inputShape[2], size: size)
            guard layer.outHeight >= 1, layer.outWidth >= 1 else {
                throw mismatch("a \(size)×\(size) window does not fit")
            }
            return layer
        case .relu:
            return ReLU(shape: inputShape)
        case .flatten:
            return Flatten(inputShape: inputShape)
        }
    }

    /// Parameter-tensor kind in names (`layer0.conv.weight`).
    var parameterKind: String? {
        switch self {
        case .dense: return "dense"
        case .conv: return "conv"
        default: return nil
        }
    }
}

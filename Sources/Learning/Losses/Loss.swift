/// The training objective applied to the network's final layer output ("logits").
///
/// Both losses are means over the batch, so gradients of different batch sizes are comparable
/// and `GradientCombiner` can weight them by example count.
/// Labels must be class indices in [0, classCount); an out-of-range label never reads or writes
/// out of bounds: its loss and gradient row become NaN, which the trainer's and server's NaN
/// checks reject.
public enum Loss: String, Sendable {
    /// Softmax followed by cross-entropy; see `SoftmaxCrossEntropy.swift`.
    case softmaxCrossEntropy
    /// Mean squared error against one-hot labels; see `MeanSquaredError.swift`.
    case meanSquaredError

    /// Mean loss over the batch. If `gradient` is non-nil it is OVERWRITTEN with ∂(mean loss)/∂logits.
    /// `logits` and `gradient` are `batch × classCount`, row-major.
    public func value(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int,
                      classCount: Int, gradient: UnsafeMutablePointer<Float>?) -> Float {
        guard batch > 0 else { return 0 }
        var sum = 0.0
        for n in 0..<batch {
            let row = logits + n * classCount
            let g = gradient.map { $0 + n * classCount }
            switch self {
            case .softmaxCrossEntropy:
                sum += SoftmaxCrossEntropy.example(row, label: labels[n], classCount: classCount,
                                                   gradient: g, scale: 1 / Float(batch))
            case .meanSquaredError:
                sum += MeanSquaredError.example(row, label: labels[n], classCount: classCount,
                                                gradient: g, scale: 1 / Float(batch))
            }
        }
        return Float(sum / Double(batch))
    }

    /// Sum of per-example losses (no gradient), for evaluation.
    public func sum(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int,
                    classCount: Int) -> Double {
        var sum = 0.0
        for n in 0..<batch {
            let row = logits + n * classCount
            switch self {
            case .softmaxCrossEntropy:
                sum += SoftmaxCrossEntropy.example(row, label: labels[n], classCount: classCount,
                                                   gradient: nil, scale: 0)
            case .meanSquaredError:
                sum += MeanSquaredError.example(row, label: labels[n], classCount: classCount,
                                                gradient: nil, scale: 0)
            }
        }
        return sum
    }
}

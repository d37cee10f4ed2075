import Datasets
import Learning

/// Test-set evaluation: mean loss and accuracy of the network's current parameters.
///
/// Reads the data set's contiguous storage directly in slices of `batch` examples (no gather,
/// no copy), so evaluating 10,000 MNIST images costs forward passes only.
public enum Evaluator {
    public static func evaluate(_ network: Network, on data: Dataset, batch: Int) -> (loss: Double, accuracy: Double) {
        guard data.count > 0 else { return (0, 0) }
        var lossSum = 0.0
        var correct = 0
        let size = data.sampleSize
        data.features.withUnsafeBufferPointer { features in
            data.labels.withUnsafeBufferPointer { labels in
                guard let fBase = features.baseAddress, let lBase = labels.baseAddress else { return }
                var start = 0
                while start < data.count {
                    let n = min(batch, data.count - start)
                    let r = network.evaluate(inputs: fBase + start * size, labels: lBase + start, batch: n)
                    lossSum += r.lossSum
                    correct += r.correct
                    start += n
                }
            }
        }
        return (lossSum / Double(data.count), Double(correct) / Double(data.count))
    }
}

/// Per-column standardisation of tabular features: x' = (x − mean) / std.
///
/// Rule: mean and (population, ÷n) standard deviation come from the TRAINING set only and
/// are applied unchanged to the test set (and to any later input), so no test information
/// leaks into training; a constant column has std 0, which is replaced by 1 (it becomes 0).
/// Kept as a value because an exported model needs these numbers to be usable on new data.
public struct FeatureStandardizer: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    /// Statistics of `data`'s columns (accumulated in Double).
    public init(fitting data: Dataset) {
        let columns = data.sampleSize
        let n = data.count
        var sum = [Double](repeating: 0, count: columns)
        var sumSquares = [Double](repeating: 0, count: columns)
        data.features.withUnsafeBufferPointer { f in
            for row in 0..<n {
                for c in 0..<columns {
                    let x = Double(f[row * columns + c])
                    sum[c] += x
                    sumSquares[c] += x * x
                }
            }
        }
        var mean = [Float](repeating: 0, count: columns)
        var std = [Float](repeating: 1, count: columns)
        if n > 0 {
            for c in 0..<columns {
                let m = sum[c] / Double(n)
                let variance = max(0, sumSquares[c] / Double(n) - m * m)
                mean[c] = Float(m)
                let s = Float(variance.squareRoot())
                std[c] = s > 0 ? s : 1
            }
        }
        self.mean = mean
        self.std = std
    }

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Standardises `data` in place; its sample size must equal the column count.
    public func apply(to data: inout Dataset) {
        let columns = mean.count
        guard data.sampleSize == columns, columns > 0 else { return }
        let rows = data.count
        data.features.withUnsafeMutableBufferPointer { f in
            for row in 0..<rows {
                for c in 0..<columns {
                    f[row * columns + c] = (f[row * columns + c] - mean[c]) / std[c]
                }
            }
        }
    }
}

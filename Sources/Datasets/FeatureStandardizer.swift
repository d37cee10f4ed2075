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
        // Two passes (mean, then squared deviations): exact enough for columns whose mean
        // dwarfs their spread, where Σx² − n·mean² would cancel.
        var mean = [Double](repeating: 0, count: columns)
        var deviation = [Double](repeating: 0, count: columns)
        data.features.withUnsafeBufferPointer { f in
            for row in 0..<n {
                for c in 0..<columns { mean[c] += Double(f[row * columns + c]) }
            }
            for c in 0..<columns { mean[c] /= Double(max(n, 1)) }
            for row in 0..<n {
                for c in 0..<columns {
                    let d = Double(f[row * columns + c]) - mean[c]
                    deviation[c] += d * d
                }
            }
        }
        let std = (0..<columns).map { c -> Float in
            let s = Float((deviation[c] / Double(max(n, 1))).squareRoot())
            return s > 0 ? s : 1
        }
        self.mean = mean.map { Float($0) }
        self.std = std
    }

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Standardises `data` in place; its sample size must equal the column count.
    public func apply(to data: inout Dataset) throws {
        let columns = mean.count
        guard data.sampleSize == columns, std.count == columns else {
            throw DatasetError(.shapeMismatch, path: nil,
                               "\(data.name): \(data.sampleSize) features per example, the standardiser has \(columns) columns")
        }
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

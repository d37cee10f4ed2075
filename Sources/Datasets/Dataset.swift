/// A labelled data set held in memory: one flat feature buffer plus one label per example.
///
/// Invariants (checked by `init(name:sampleShape:features:labels:classCount:)`, kept by
/// every loader): `features.count == count × sampleSize`; every label is in
/// `0..<classCount`. Images are NHWC with pixels in [0, 1] (MNIST: `[28, 28, 1]`); tabular
/// data has `sampleShape == [featureCount]`. One flat buffer, not an array of samples,
/// because the trainer gathers batches with `memcpy`-sized copies (see `gather`).
public struct Dataset: Sendable {
    public var name: String
    /// Shape of one example: images `[H, W, C]` (NHWC), tabular `[featureCount]`.
    public var sampleShape: [Int]
    /// `count × sampleSize` values, example-major (row-major).
    public var features: [Float]
    public var labels: [Int32]
    public var classCount: Int

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// A validated data set, e.g. one a worker rebuilt from the chunks the coordinator
    /// sent: such data crossed a process boundary, so it is checked, not trusted.
    public init(name: String, sampleShape: [Int], features: [Float], labels: [Int32],
                classCount: Int) throws {
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError(.shapeMismatch, path: nil,
                               "\(name): sample shape \(sampleShape) must be non-empty with positive dimensions")
        }
        guard !labels.isEmpty else {
            throw DatasetError(.emptyDataset, path: nil, "\(name): no examples")
        }
        let size = sampleShape.reduce(1, *)
        guard features.count == labels.count * size else {
            throw DatasetError(.countMismatch, path: nil,
                               "\(name): \(features.count) feature values for \(labels.count) examples of size \(size) (expected \(labels.count * size))")
        }
        guard classCount >= 1 else {
            throw DatasetError(.labelOutOfRange, path: nil, "\(name): class count \(classCount) must be at least 1")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw DatasetError(.labelOutOfRange, path: nil,
                               "\(name): label \(labels[bad]) of example \(bad) is outside 0..<\(classCount)")
        }
        self.init(unchecked: name, sampleShape: sampleShape, features: features, labels: labels,
                  classCount: classCount)
    }

    /// For loaders that have already validated every value against its file.
    init(unchecked name: String, sampleShape: [Int], features: [Float], labels: [Int32], classCount: Int) {
        self.name = name
        self.sampleShape = sampleShape
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    /// Copies the examples at `indices` into caller-owned buffers (no allocation): the
    /// trainer's batch gather. `features` must hold `indices.count × sampleSize` floats and
    /// `labels` `indices.count` labels. Indices come from a `DataSchedule` over this data
    /// set, so an index out of range is a programming error and traps.
    public func gather(_ indices: UnsafeBufferPointer<Int>, features: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Int32>) {
        let size = sampleSize
        let n = count
        self.features.withUnsafeBufferPointer { source in
            self.labels.withUnsafeBufferPointer { sourceLabels in
                guard let base = source.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < n, "gather: example index \(index) outside 0..<\(n)")
                    (features + row * size).update(from: base + index * size, count: size)
                    labels[row] = sourceLabels[index]
                }
            }
        }
    }

    /// The examples at `indices`, in that order, as a new data set (same shape and class
    /// count): how the coordinator cuts a worker's shard. Traps on an index out of range
    /// (indices come from a schedule, not from a user).
    public func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        let size = sampleSize
        var newFeatures = [Float](repeating: 0, count: indices.count * size)
        var newLabels = [Int32](repeating: 0, count: indices.count)
        indices.withUnsafeBufferPointer { idx in
            newFeatures.withUnsafeMutableBufferPointer { f in
                newLabels.withUnsafeMutableBufferPointer { l in
                    guard let fBase = f.baseAddress, let lBase = l.baseAddress else { return }
                    gather(idx, features: fBase, labels: lBase)
                }
            }
        }
        return Dataset(unchecked: name ?? self.name, sampleShape: sampleShape, features: newFeatures,
                       labels: newLabels, classCount: classCount)
    }
}

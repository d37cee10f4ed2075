import Learning

/// Holds out a test set when a data set comes as one file (CSV, NPY, Iris, an IDX
/// directory without t10k files).
///
/// The rule, exact so every process and every rerun cuts the same split:
/// for each class c in 0..<classCount, take the indices of its n_c examples in file order,
/// shuffle them with `SeededGenerator(seed: seed, streams: StratifiedSplit.stream, c)
/// .permutation(n_c)`, and send the first `round(0.2 · n_c)` of that order to the test set
/// (no ties: 0.2·n is never k + ½), the rest to the training set. Both sets then list their
/// examples in file order. Stratified, so every class keeps its share in both sets (Iris:
/// 40 + 10 per class). A class with 1 or 2 examples contributes nothing to the test set.
public enum StratifiedSplit {
    /// The split's stream constant ("split" in ASCII), apart from the schedule's streams.
    public static let stream: UInt64 = 0x73_70_6C_69_74
    public static let testFraction = 0.2

    /// Throws `.emptyDataset` if either side would be empty (too few examples per class).
    public static func split(_ data: Dataset, seed: UInt64) throws -> (train: Dataset, test: Dataset) {
        var members = [[Int]](repeating: [], count: data.classCount)
        for (index, label) in data.labels.enumerated() {
            guard label >= 0, Int(label) < data.classCount else {
                throw DatasetError(.labelOutOfRange, path: nil,
                                   "\(data.name): label \(label) of example \(index) is outside 0..<\(data.classCount)")
            }
            members[Int(label)].append(index)
        }
        var isTest = [Bool](repeating: false, count: data.count)
        for (c, indices) in members.enumerated() {
            var generator = SeededGenerator(seed: seed, streams: stream, UInt64(c))
            let order = generator.permutation(indices.count)
            let testCount = Int((testFraction * Double(indices.count)).rounded())
            for k in order.prefix(testCount) { isTest[indices[k]] = true }
        }
        let testIndices = (0..<data.count).filter { isTest[$0] }
        let trainIndices = (0..<data.count).filter { !isTest[$0] }
        guard !testIndices.isEmpty, !trainIndices.isEmpty else {
            throw DatasetError(.emptyDataset, path: nil,
                               "\(data.name): \(data.count) examples are too few to hold out 20% per class (got \(trainIndices.count) train, \(testIndices.count) test); pass a separate test file")
        }
        return (data.subset(trainIndices), data.subset(testIndices))
    }
}

/// A training set and its held-out test set, ready for the schedule and the evaluator.
public struct DataSplit: Sendable {
    public var train: Dataset
    public var test: Dataset
    /// How the split was made, for logs and run reports (files, split rule, seed, counts,
    /// scaling).
    public var description: String
    /// The training statistics applied to tabular features (both sets); `nil` for images,
    /// whose pixels are scaled ÷255 instead. An exported model needs it to read new data.
    public var standardizer: FeatureStandardizer?

    public init(train: Dataset, test: Dataset, description: String, standardizer: FeatureStandardizer? = nil) {
        self.train = train
        self.test = test
        self.description = description
        self.standardizer = standardizer
    }
}

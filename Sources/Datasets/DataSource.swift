import Foundation

/// Turns a `--data` / `--test-data` choice into a train/test split.
public enum DataSource {
    /// Loads a data set and its test set.
    ///
    /// `data`: `"mnist"` | `"iris"` (the bundled sets, see `BundledData`; these names win
    /// over same-named paths) | a directory holding MNIST-named IDX files
    /// (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, and optionally
    /// `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`) | a `.csv` file (see
    /// `CSVReader`) | a `.npy` file (see `NPYReader`).
    ///
    /// `testData`: an optional separate test set of the same kind (an IDX directory with
    /// t10k files, or a CSV/NPY file with the same feature count). Without it, an IDX
    /// directory uses its t10k files; if it has none, and for CSV, NPY and Iris, the data is
    /// split 80/20 STRATIFIED per class by `seed` — the exact rule is on `StratifiedSplit`:
    /// per class c, shuffle c's indices (file order) with
    /// `SeededGenerator(seed: seed, streams: StratifiedSplit.stream, c).permutation(n_c)` and
    /// take the first `round(0.2·n_c)` as test, the rest as train; both keep file order.
    ///
    /// Scaling: pixels ÷255 into [0, 1]; tabular features standardised per column with the
    /// TRAINING mean/std (std 0 → 1), applied to both sets (`FeatureStandardizer`).
    /// Class count: from the training set (IDX: 10 if every label ≤ 9, else max + 1;
    /// CSV/NPY: max + 1); a test label at or above it is an error.
    ///
    /// `labelColumn` picks a CSV's label column by name (default: `label`, `species`,
    /// `class` or `target`, else the last column); it is ignored for IDX and NPY.
    public static func load(data: String, testData: String?, labelColumn: String?, seed: UInt64) throws -> DataSplit {
        let source = try resolve(data)
        let testSource = try testData.map { try resolve($0) }

        switch source {
        case .idx(let directory, let name):
            let (images, labels) = try idxPair(in: directory, prefix: "train")
            let train = try IDXReader.dataset(images: images, labels: labels, name: "\(name)/train")
            var testPair: (images: String, labels: String)?
            var testFrom = ""
            if let testSource {
                guard case .idx(let testDirectory, _) = testSource else {
                    throw DatasetError(.unsupportedFormat, path: testData,
                                       "the test data must be an IDX directory like the training data (\(directory))")
                }
                testPair = try idxPair(in: testDirectory, prefix: "t10k")
                testFrom = testDirectory
            } else if hasIDXFile(in: directory, prefix: "t10k") {
                // One t10k file without the other is an error, not a silent 80/20 split.
                testPair = try idxPair(in: directory, prefix: "t10k")
                testFrom = directory
            }
            if let testPair {
                let test = try IDXReader.dataset(images: testPair.images, labels: testPair.labels,
                                                 name: "\(name)/test", classCount: train.classCount)
                guard test.sampleShape == train.sampleShape else {
                    throw DatasetError(.shapeMismatch, path: testPair.images,
                                       "test images are \(test.sampleShape), training images \(train.sampleShape)")
                }
                return DataSplit(train: train, test: test, description:
                    "\(name): \(train.count) train examples from \(directory)/train-*, \(test.count) test from \(testFrom)/t10k-*; \(train.classCount) classes, shape \(train.sampleShape), pixels ÷255")
            }
            let (splitTrain, splitTest) = try StratifiedSplit.split(train, seed: seed)
            return DataSplit(train: renamed(splitTrain, "\(name)/train"), test: renamed(splitTest, "\(name)/test"),
                             description: "\(name): \(directory) has no t10k files; \(splitDescription(splitTrain, splitTest, seed: seed)); pixels ÷255")

        case .csv(let path, let name), .npy(let path, let name):
            let train = try readTabular(source, labelColumn: labelColumn, classCount: nil)
            var pieces: (train: Dataset, test: Dataset)
            var how: String
            if let testSource, let testPath = testData {
                guard testSource.isTabular else {
                    throw DatasetError(.unsupportedFormat, path: testPath,
                                       "the test data must be a .csv or .npy file like the training data (\(path))")
                }
                let test = try readTabular(testSource, labelColumn: labelColumn, classCount: train.classCount)
                guard test.sampleShape == train.sampleShape else {
                    throw DatasetError(.shapeMismatch, path: testPath,
                                       "\(test.sampleSize) features per example, the training data \(path) has \(train.sampleSize)")
                }
                pieces = (train, test)
                how = "\(train.count) train examples from \(path), \(test.count) test from \(testPath)"
            } else {
                pieces = try StratifiedSplit.split(train, seed: seed)
                how = splitDescription(pieces.train, pieces.test, seed: seed) + " of \(path)"
            }
            let standardizer = FeatureStandardizer(fitting: pieces.train)
            try standardizer.apply(to: &pieces.train)
            try standardizer.apply(to: &pieces.test)
            return DataSplit(train: renamed(pieces.train, "\(name)/train"), test: renamed(pieces.test, "\(name)/test"),
                             description: "\(name): \(how); \(train.classCount) classes, \(train.sampleSize) features standardised with the training mean/std",
                             standardizer: standardizer)
        }
    }

    /// What a `--data` string names.
    enum Source {
        case idx(directory: String, name: String)
        case csv(path: String, name: String)
        case npy(path: String, name: String)

        var isTabular: Bool {
            if case .idx = self { return false }
            return true
        }
    }

    static func resolve(_ spec: String) throws -> Source {
        switch spec {
        case "mnist": return .idx(directory: try BundledData.mnistDirectory(), name: "mnist")
        case "iris": return .csv(path: try BundledData.irisFile(), name: "iris")
        default: break
        }
        let name = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory)
        if exists, isDirectory.boolValue { return .idx(directory: spec, name: name) }
        let lower = spec.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") { return .csv(path: spec, name: name) }
        if lower.hasSuffix(".npy") || lower.hasSuffix(".npy.gz") { return .npy(path: spec, name: name) }
        if !exists {
            throw DatasetError(.missingFile, path: spec,
                               "no such file or directory (expected \"mnist\", \"iris\", an IDX directory, a .csv or a .npy file)")
        }
        throw DatasetError(.unsupportedFormat, path: spec,
                           "unknown data kind (expected \"mnist\", \"iris\", an IDX directory, a .csv or a .npy file)")
    }

    private static func readTabular(_ source: Source, labelColumn: String?, classCount: Int?) throws -> Dataset {
        switch source {
        case .csv(let path, _): return try CSVReader.read(path: path, labelColumn: labelColumn, classCount: classCount)
        case .npy(let path, _): return try NPYReader.read(path: path, classCount: classCount)
        case .idx(let directory, _):
            throw DatasetError(.unsupportedFormat, path: directory, "an IDX directory is not a tabular file")
        }
    }

    /// The `<prefix>-images-idx3-ubyte[.gz]` / `<prefix>-labels-idx1-ubyte[.gz]` pair in
    /// `directory` (gzipped name preferred when both exist).
    private static func idxPair(in directory: String, prefix: String) throws -> (images: String, labels: String) {
        func find(_ base: String) throws -> String {
            let plain = (directory as NSString).appendingPathComponent(base)
            for candidate in [plain + ".gz", plain] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            throw DatasetError(.missingFile, path: plain + "[.gz]", "no such file (an IDX directory needs \(prefix)-images-idx3-ubyte and \(prefix)-labels-idx1-ubyte, optionally gzipped)")
        }
        return (try find("\(prefix)-images-idx3-ubyte"), try find("\(prefix)-labels-idx1-ubyte"))
    }

    private static func hasIDXFile(in directory: String, prefix: String) -> Bool {
        ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"].contains { base in
            let plain = (directory as NSString).appendingPathComponent(base)
            return FileManager.default.fileExists(atPath: plain) || FileManager.default.fileExists(atPath: plain + ".gz")
        }
    }

    private static func splitDescription(_ train: Dataset, _ test: Dataset, seed: UInt64) -> String {
        "stratified 80/20 split per class with seed \(seed): \(train.count) train, \(test.count) test"
    }

    private static func renamed(_ data: Dataset, _ name: String) -> Dataset {
        var copy = data
        copy.name = name
        return copy
    }
}

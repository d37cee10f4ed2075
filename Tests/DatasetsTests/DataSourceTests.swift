import Datasets
import Foundation
import Learning  // SeededGenerator, to restate the documented split rule
import XCTest

final class DataSourceTests: XCTestCase {
    private func withDataDirectory<T>(_ body: () throws -> T) throws -> T {
        let data = try repositoryDataDirectory()
        let previous = ProcessInfo.processInfo.environment[BundledData.environmentVariable]
        setenv(BundledData.environmentVariable, data, 1)
        defer {
            if let previous { setenv(BundledData.environmentVariable, previous, 1) } else { unsetenv(BundledData.environmentVariable) }
        }
        return try body()
    }

    func testBundledMNISTLoadsSixtyThousandTrainAndTenThousandTestImages() throws {
        let start = Date()
        let split = try withDataDirectory { try DataSource.load(data: "mnist", testData: nil, labelColumn: nil, seed: 1) }
        let seconds = Date().timeIntervalSince(start)
        print("MNIST load (train + test, gzip IDX → Float): \(String(format: "%.2f", seconds)) s")
        XCTAssertEqual(split.train.count, 60_000)
        XCTAssertEqual(split.test.count, 10_000)
        XCTAssertEqual(split.train.sampleShape, [28, 28, 1])
        XCTAssertEqual(split.train.features.count, 60_000 * 784)
        XCTAssertEqual(split.train.classCount, 10)
        XCTAssertEqual(split.test.classCount, 10)
        XCTAssertEqual(split.train.labels.first, 5, "MNIST's first training digit is a 5")
        XCTAssertEqual(split.test.labels.first, 7, "MNIST's first test digit is a 7")
        var trainCounts = [Int](repeating: 0, count: 10)
        for label in split.train.labels { trainCounts[Int(label)] += 1 }
        XCTAssertEqual(trainCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])  // data/mnist/README.md
        XCTAssertEqual(split.train.features.min(), 0)
        XCTAssertEqual(split.train.features.max(), 1)
        XCTAssertNil(split.standardizer)
        XCTAssertTrue(split.description.contains("60000 train"), split.description)
    }

    func testIrisIsSplitEightyTwentyStratifiedAndStandardisedWithTrainingStatistics() throws {
        let split = try withDataDirectory { try DataSource.load(data: "iris", testData: nil, labelColumn: nil, seed: 42) }
        XCTAssertEqual(split.train.count, 120)
        XCTAssertEqual(split.test.count, 30)
        XCTAssertEqual(split.train.classCount, 3)
        XCTAssertEqual(split.train.sampleShape, [4])
        for c in 0..<3 {
            XCTAssertEqual(split.test.labels.filter { $0 == c }.count, 10, "class \(c): round(0.2 × 50) = 10 held out")
        }
        for column in 0..<4 {
            let values = (0..<120).map { Double(split.train.features[$0 * 4 + column]) }
            let mean = values.reduce(0, +) / 120
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 120
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-4)
        }
        // The test set uses the TRAINING statistics: undoing them gives back raw CSV rows.
        let standardizer = try XCTUnwrap(split.standardizer)
        let raw = try CSVReader.read(path: (try repositoryDataDirectory() as NSString).appendingPathComponent("iris/iris.csv"),
                                     labelColumn: nil)
        let rawRows = Set((0..<raw.count).map { i in (0..<4).map { raw.features[i * 4 + $0] } })
        for i in 0..<split.test.count {
            let row = (0..<4).map { c in split.test.features[i * 4 + c] * standardizer.std[c] + standardizer.mean[c] }
            XCTAssertTrue(rawRows.contains { zip($0, row).allSatisfy { abs($0 - $1) < 1e-4 } }, "test row \(i) is not a raw row")
        }
        XCTAssertTrue(split.description.contains("stratified 80/20 split per class with seed 42"), split.description)
    }

    func testSplitIsDeterministicPerSeedAndDiffersAcrossSeeds() throws {
        let dir = try TempDir()
        var text = "a,b,label\n"
        for i in 0..<100 { text += "\(i),\(i * i % 17),\(i % 4)\n" }
        let path = try dir.write("d.csv", text: text)
        let one = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 7)
        let again = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 7)
        let other = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 8)
        XCTAssertEqual(one.test.features, again.test.features)
        XCTAssertEqual(one.train.labels, again.train.labels)
        XCTAssertNotEqual(one.test.features, other.test.features)
        XCTAssertEqual(one.test.count, 20)
    }

    func testStratifiedSplitFollowsTheDocumentedRule() throws {
        // 7 examples of class 0 and 3 of class 1: round(1.4) = 1 and round(0.6) = 1 held out.
        let labels: [Int32] = [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]
        let data = try Dataset(name: "t", sampleShape: [1], features: (0..<10).map(Float.init), labels: labels, classCount: 2)
        let (train, test) = try StratifiedSplit.split(data, seed: 3)
        var expectedTest: [Int] = []
        for c in 0..<2 {
            let members = labels.indices.filter { labels[$0] == c }
            var generator = SeededGenerator(seed: 3, streams: StratifiedSplit.stream, UInt64(c))
            let order = generator.permutation(members.count)
            expectedTest += order.prefix(1).map { members[$0] }
        }
        XCTAssertEqual(test.features, expectedTest.sorted().map(Float.init))
        XCTAssertEqual(train.count + test.count, 10)
        XCTAssertEqual(Set(train.features + test.features), Set((0..<10).map(Float.init)))
    }

    func testSeparateCSVTestFileIsStandardisedWithTrainingStatistics() throws {
        let dir = try TempDir()
        let train = try dir.write("train.csv", text: "x,label\n1,0\n3,1\n")
        let test = try dir.write("test.csv", text: "x,label\n5,1\n")
        let split = try DataSource.load(data: train, testData: test, labelColumn: nil, seed: 0)
        XCTAssertEqual(split.train.features, [-1, 1])
        XCTAssertEqual(split.test.features, [3], "(5 − mean 2) / std 1")
    }

    func testTestLabelAboveTrainingClassCountIsRejected() throws {
        let dir = try TempDir()
        let train = try dir.write("train.csv", text: "x,label\n1,0\n3,1\n")
        let test = try dir.write("test.csv", text: "x,label\n5,2\n")
        assertDatasetError(.labelOutOfRange, [test, "2:3:", "not below the class count 2"]) {
            _ = try DataSource.load(data: train, testData: test, labelColumn: nil, seed: 0)
        }
    }

    func testTestFileWithDifferentFeatureCountIsRejected() throws {
        let dir = try TempDir()
        let train = try dir.write("train.csv", text: "x,label\n1,0\n3,1\n")
        let test = try dir.write("test.csv", text: "x,y,label\n5,1,1\n")
        assertDatasetError(.shapeMismatch, [test, "2 features per example", "has 1"]) {
            _ = try DataSource.load(data: train, testData: test, labelColumn: nil, seed: 0)
        }
    }

    func testIDXDirectoryWithoutT10kFilesIsSplitAndWithThemUsesThem() throws {
        let dir = try TempDir()
        let labels: [UInt8] = (0..<20).map { UInt8($0 % 2) }
        try dir.write("set/train-images-idx3-ubyte", idxImages(count: 20, rows: 2, columns: 3))
        try dir.write("set/train-labels-idx1-ubyte", idxLabels(labels))
        let split = try DataSource.load(data: dir.file("set"), testData: nil, labelColumn: nil, seed: 5)
        XCTAssertEqual(split.train.count, 16)
        XCTAssertEqual(split.test.count, 4)
        XCTAssertEqual(split.train.sampleShape, [2, 3, 1])

        try dir.write("set/t10k-images-idx3-ubyte", idxImages(count: 3, rows: 2, columns: 3))
        try dir.write("set/t10k-labels-idx1-ubyte", idxLabels([1, 0, 1]))
        let withTest = try DataSource.load(data: dir.file("set"), testData: nil, labelColumn: nil, seed: 5)
        XCTAssertEqual(withTest.train.count, 20)
        XCTAssertEqual(withTest.test.labels, [1, 0, 1])
    }

    func testIDXTestLabelAboveTrainingClassCountIsRejected() throws {
        let dir = try TempDir()
        try dir.write("set/train-images-idx3-ubyte", idxImages(count: 2, rows: 1, columns: 1))
        try dir.write("set/train-labels-idx1-ubyte", idxLabels([0, 9]))
        try dir.write("set/t10k-images-idx3-ubyte", idxImages(count: 2, rows: 1, columns: 1))
        let labels = try dir.write("set/t10k-labels-idx1-ubyte", idxLabels([3, 11]))
        assertDatasetError(.labelOutOfRange, [labels, "label 11 of item 1", "class count 10"]) {
            _ = try DataSource.load(data: dir.file("set"), testData: nil, labelColumn: nil, seed: 0)
        }
    }

    func testIDXDirectoryMissingAFileIsRejectedNamingIt() throws {
        let dir = try TempDir()
        try dir.write("set/train-images-idx3-ubyte.gz", [])
        assertDatasetError(.missingFile, ["train-labels-idx1-ubyte[.gz]", "no such file"]) {
            _ = try DataSource.load(data: dir.file("set"), testData: nil, labelColumn: nil, seed: 0)
        }
    }

    func testMissingDataPathIsRejected() throws {
        let dir = try TempDir()
        let path = dir.file("nothing-here")
        assertDatasetError(.missingFile, [path, "no such file or directory", "\"mnist\""]) {
            _ = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 0)
        }
        let csv = dir.file("absent.csv")
        assertDatasetError(.missingFile, [csv, "no such file"]) {
            _ = try DataSource.load(data: csv, testData: nil, labelColumn: nil, seed: 0)
        }
    }

    func testTooFewExamplesToHoldOutATestSetIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("tiny.csv", text: "x,label\n1,0\n2,1\n")
        assertDatasetError(.emptyDataset, ["too few to hold out 20% per class", "pass a separate test file"]) {
            _ = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 0)
        }
    }

    func testNPYDataSetLoadsAndSplits() throws {
        let dir = try TempDir()
        var values: [Float] = []
        for i in 0..<10 { values += [Float(i), Float(i % 2)] }
        let path = try dir.write("d.npy", npyFile(descr: "<f4", shape: [10, 2], payload: float32Bytes(values)))
        let split = try DataSource.load(data: path, testData: nil, labelColumn: nil, seed: 1)
        XCTAssertEqual(split.train.count, 8)
        XCTAssertEqual(split.test.count, 2)
        XCTAssertEqual(split.train.classCount, 2)
    }

    func testMismatchedTestKindIsRejected() throws {
        let dir = try TempDir()
        let csv = try dir.write("d.csv", text: "x,label\n1,0\n")
        try dir.write("set/t10k-images-idx3-ubyte", idxImages(count: 1, rows: 1, columns: 1))
        assertDatasetError(.unsupportedFormat, ["must be a .csv or .npy file"]) {
            _ = try DataSource.load(data: csv, testData: dir.file("set"), labelColumn: nil, seed: 0)
        }
    }
}

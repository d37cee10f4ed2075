import Datasets
import XCTest

final class DatasetTests: XCTestCase {
    private func sample() throws -> Dataset {
        try Dataset(name: "s", sampleShape: [2], features: [0, 1, 10, 11, 20, 21, 30, 31], labels: [0, 1, 2, 1], classCount: 3)
    }

    func testGatherCopiesTheIndexedExamplesInOrder() throws {
        let data = try sample()
        let indices = [3, 0, 3]
        var features = [Float](repeating: -1, count: 6)
        var labels = [Int32](repeating: -1, count: 3)
        indices.withUnsafeBufferPointer { idx in
            features.withUnsafeMutableBufferPointer { f in
                labels.withUnsafeMutableBufferPointer { l in
                    guard let fBase = f.baseAddress, let lBase = l.baseAddress else { return }
                    data.gather(idx, features: fBase, labels: lBase)
                }
            }
        }
        XCTAssertEqual(features, [30, 31, 0, 1, 30, 31])
        XCTAssertEqual(labels, [1, 0, 1])
        XCTAssertEqual(data.subset([2, 1]).features, [20, 21, 10, 11])
    }

    func testInitRejectsInconsistentData() throws {
        assertDatasetError(.countMismatch, ["3 feature values for 2 examples of size 2"]) {
            _ = try Dataset(name: "x", sampleShape: [2], features: [1, 2, 3], labels: [0, 0], classCount: 1)
        }
        assertDatasetError(.labelOutOfRange, ["label 3 of example 1 is outside 0..<3"]) {
            _ = try Dataset(name: "x", sampleShape: [1], features: [1, 2], labels: [0, 3], classCount: 3)
        }
        assertDatasetError(.emptyDataset, ["no examples"]) {
            _ = try Dataset(name: "x", sampleShape: [1], features: [], labels: [], classCount: 3)
        }
    }
}

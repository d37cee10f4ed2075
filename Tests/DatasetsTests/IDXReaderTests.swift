import Datasets
import XCTest

final class IDXReaderTests: XCTestCase {
    func testRawImageAndLabelFilesLoadWithPixelsScaledToUnitRange() throws {
        let dir = try TempDir()
        let images = try dir.write("train-images-idx3-ubyte", idxImages(count: 3, rows: 2, columns: 2,
                                                                        pixels: [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]))
        let labels = try dir.write("train-labels-idx1-ubyte", idxLabels([1, 0, 3]))
        let data = try IDXReader.dataset(images: images, labels: labels, name: "tiny")
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.sampleShape, [2, 2, 1])
        XCTAssertEqual(data.labels, [1, 0, 3])
        XCTAssertEqual(Array(data.features[0..<4]), [0, 1, 0.2, 0.4])
        XCTAssertEqual(data.classCount, 10, "labels ≤ 9 give 10 classes (digits)")
    }

    func testClassCountIsMaxPlusOneWhenALabelExceedsNine() throws {
        let dir = try TempDir()
        let images = try dir.write("i", idxImages(count: 2, rows: 1, columns: 1))
        let labels = try dir.write("l", idxLabels([12, 0]))
        XCTAssertEqual(try IDXReader.dataset(images: images, labels: labels, name: "x").classCount, 13)
    }

    func testWrongMagicIsRejectedWithFileOffsetAndExpectedValue() throws {
        let dir = try TempDir()
        let path = try dir.write("train-images-idx3-ubyte", idxImages(count: 1, rows: 1, columns: 1, magic: 0x802))
        assertDatasetError(.wrongMagic, [path, "wrong magic 0x00000802 at byte 0",
                                         "expected 0x00000803 for an IDX image file"]) {
            _ = try IDXReader.readImages(path: path)
        }
        let labels = try dir.write("labels", idxImages(count: 1, rows: 1, columns: 1))
        assertDatasetError(.wrongMagic, [labels, "0x00000803 at byte 0", "expected 0x00000801 for an IDX label file"]) {
            _ = try IDXReader.readLabels(path: labels)
        }
    }

    func testTruncatedImageDataIsRejectedNamingTheByteAndImage() throws {
        let dir = try TempDir()
        let full = idxImages(count: 4, rows: 2, columns: 2)
        let path = try dir.write("images", Array(full.dropLast(5)))
        assertDatasetError(.truncated, [path, "truncated at byte 27", "4 images of 2×2", "inside image 2"]) {
            _ = try IDXReader.readImages(path: path)
        }
    }

    func testTruncatedHeaderIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("images", Array(idxImages(count: 4, rows: 2, columns: 2).prefix(10)))
        assertDatasetError(.truncated, [path, "truncated at byte 10", "header needs 16 bytes"]) {
            _ = try IDXReader.readImages(path: path)
        }
        let labels = try dir.write("labels", idxLabels([1, 2, 3]).dropLast(1).map { $0 })
        assertDatasetError(.truncated, [labels, "declares 3 labels", "before label 2"]) {
            _ = try IDXReader.readLabels(path: labels)
        }
    }

    func testTruncatedGzipStreamIsRejected() throws {
        let gz = (try repositoryDataDirectory() as NSString).appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: gz)))
        let dir = try TempDir()
        let path = try dir.write("t10k-labels-idx1-ubyte.gz", Array(bytes.prefix(bytes.count / 2)))
        assertDatasetError(.truncated, [path, "gzip stream truncated after"]) {
            _ = try IDXReader.readLabels(path: path)
        }
    }

    func testTrailingBytesAfterDeclaredDataAreRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("images", idxImages(count: 2, rows: 2, columns: 2) + [9, 9, 9])
        assertDatasetError(.trailingBytes, [path, "3 unexpected bytes", "from byte 24"]) {
            _ = try IDXReader.readImages(path: path)
        }
    }

    func testImageAndLabelCountMismatchIsRejectedNamingBothFiles() throws {
        let dir = try TempDir()
        let images = try dir.write("images", idxImages(count: 3, rows: 1, columns: 1))
        let labels = try dir.write("labels", idxLabels([1, 2]))
        assertDatasetError(.countMismatch, [images, "3 images", labels, "2 labels"]) {
            _ = try IDXReader.dataset(images: images, labels: labels, name: "x")
        }
    }

    func testTestLabelAtOrAboveTheTrainingClassCountIsRejected() throws {
        let dir = try TempDir()
        let images = try dir.write("images", idxImages(count: 3, rows: 1, columns: 1))
        let labels = try dir.write("labels", idxLabels([1, 10, 2]))
        assertDatasetError(.labelOutOfRange, [labels, "label 10 of item 1 (byte 9)", "class count 10"]) {
            _ = try IDXReader.dataset(images: images, labels: labels, name: "x", classCount: 10)
        }
    }

    func testEmptyIDXFileIsRejected() throws {
        let dir = try TempDir()
        let images = try dir.write("images", idxImages(count: 0, rows: 28, columns: 28))
        assertDatasetError(.emptyDataset, [images, "declares 0 images"]) { _ = try IDXReader.readImages(path: images) }
        let labels = try dir.write("labels", idxLabels([]))
        assertDatasetError(.emptyDataset, [labels, "declares 0 labels"]) { _ = try IDXReader.readLabels(path: labels) }
    }

    func testMissingFileIsRejected() throws {
        let dir = try TempDir()
        let path = dir.file("nope-idx3-ubyte.gz")
        assertDatasetError(.missingFile, [path, "no such file"]) { _ = try IDXReader.readImages(path: path) }
    }
}

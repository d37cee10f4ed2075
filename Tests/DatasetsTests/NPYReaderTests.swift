import Datasets
import XCTest

final class NPYReaderTests: XCTestCase {
    func testFloat32Version1ArrayWithLabelInLastColumnLoads() throws {
        let dir = try TempDir()
        let path = try dir.write("d.npy", npyFile(descr: "<f4", shape: [2, 3],
                                                  payload: float32Bytes([0.5, -1, 1, 2.25, 3, 0])))
        let data = try NPYReader.read(path: path)
        XCTAssertEqual(data.sampleShape, [2])
        XCTAssertEqual(data.features, [0.5, -1, 2.25, 3])
        XCTAssertEqual(data.labels, [1, 0])
        XCTAssertEqual(data.classCount, 2)
    }

    func testUInt8Version2ArrayLoads() throws {
        let dir = try TempDir()
        let path = try dir.write("d.npy", npyFile(descr: "|u1", shape: [3, 2], payload: [10, 0, 20, 2, 255, 1], version: 2))
        let data = try NPYReader.read(path: path)
        XCTAssertEqual(data.features, [10, 20, 255])
        XCTAssertEqual(data.labels, [0, 2, 1])
        XCTAssertEqual(data.classCount, 3)
    }

    func testFileWrittenByNumPyLoads() throws {
        try requireNumPy()
        let dir = try TempDir()
        let path = dir.file("np.npy")
        let script = """
        import numpy as np, sys
        x = np.array([[0.25, 1.5, 2], [3.0, -4.0, 0], [5.5, 6.0, 1]], dtype=np.float32)
        np.save(sys.argv[1], x)
        """
        let result = runPython(script, arguments: [path])
        XCTAssertEqual(result?.status, 0, result?.err ?? "python3 did not start")
        let data = try NPYReader.read(path: path)
        XCTAssertEqual(data.features, [0.25, 1.5, 3, -4, 5.5, 6])
        XCTAssertEqual(data.labels, [2, 0, 1])
    }

    func testWrongMagicIsRejected() throws {
        let dir = try TempDir()
        var bytes = npyFile(descr: "<f4", shape: [1, 2], payload: float32Bytes([1, 0]))
        bytes[1] = UInt8(ascii: "X")
        let path = try dir.write("d.npy", bytes)
        assertDatasetError(.wrongMagic, [path, "wrong magic [93 58 55 4d 50 59] at byte 0", "NUMPY"]) {
            _ = try NPYReader.read(path: path)
        }
    }

    func testTruncatedDataIsRejected() throws {
        let dir = try TempDir()
        let bytes = npyFile(descr: "<f4", shape: [4, 2], payload: float32Bytes([1, 0, 2, 0, 3, 1, 4, 1]))
        let path = try dir.write("d.npy", Array(bytes.dropLast(6)))
        assertDatasetError(.truncated, [path, "truncated at byte \(bytes.count - 6)", "needs 8 items from byte 128",
                                        "ends inside item 6"]) {
            _ = try NPYReader.read(path: path)
        }
    }

    func testTruncatedHeaderIsRejected() throws {
        let dir = try TempDir()
        let bytes = npyFile(descr: "<f4", shape: [1, 2], payload: float32Bytes([1, 0]))
        let path = try dir.write("d.npy", Array(bytes.prefix(30)))
        assertDatasetError(.truncated, [path, "truncated at byte 30", "118 header bytes from byte 10"]) {
            _ = try NPYReader.read(path: path)
        }
    }

    func testTrailingBytesAreRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("d.npy", npyFile(descr: "|u1", shape: [1, 2], payload: [1, 0, 7]))
        assertDatasetError(.trailingBytes, [path, "1 unexpected bytes", "from byte 130"]) { _ = try NPYReader.read(path: path) }
    }

    func testUnsupportedDtypeOrderAndVersionAreRejected() throws {
        let dir = try TempDir()
        let f8 = try dir.write("a.npy", npyFile(descr: "<f8", shape: [1, 2], payload: Array(repeating: 0, count: 16)))
        assertDatasetError(.unsupportedFormat, [f8, "dtype '<f8'", "byte 10"]) { _ = try NPYReader.read(path: f8) }
        let fortran = try dir.write("b.npy", npyFile(descr: "|u1", shape: [1, 2], payload: [1, 0], fortran: true))
        assertDatasetError(.unsupportedFormat, [fortran, "fortran_order is True"]) { _ = try NPYReader.read(path: fortran) }
        var v3 = npyFile(descr: "|u1", shape: [1, 2], payload: [1, 0])
        v3[6] = 3
        let version = try dir.write("c.npy", v3)
        assertDatasetError(.unsupportedFormat, [version, "NPY version 3.0 at byte 6"]) { _ = try NPYReader.read(path: version) }
        let oneD = try dir.write("d.npy", npyFile(descr: "|u1", shape: [3], payload: [1, 0, 2]))
        assertDatasetError(.unsupportedFormat, [oneD, "shape [3]", "2-D"]) { _ = try NPYReader.read(path: oneD) }
    }

    func testBadLabelsAreRejectedWithRowColumnItemAndByte() throws {
        let dir = try TempDir()
        let negative = try dir.write("a.npy", npyFile(descr: "<f4", shape: [2, 2], payload: float32Bytes([1, 0, 2, -1])))
        assertDatasetError(.labelOutOfRange, [negative, "label -1.0 at row 1, column 1 (item 3, byte 140)", "is negative"]) {
            _ = try NPYReader.read(path: negative)
        }
        let fraction = try dir.write("b.npy", npyFile(descr: "<f4", shape: [1, 2], payload: float32Bytes([1, 0.5])))
        assertDatasetError(.labelOutOfRange, [fraction, "label 0.5 at row 0, column 1", "not an integer"]) {
            _ = try NPYReader.read(path: fraction)
        }
        let feature = try dir.write("c.npy", npyFile(descr: "<f4", shape: [1, 2], payload: float32Bytes([.nan, 0])))
        assertDatasetError(.nonNumericCell, [feature, "row 0, column 0 (item 0, byte 128)", "not a finite number"]) {
            _ = try NPYReader.read(path: feature)
        }
    }

    func testEmptyArrayIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("a.npy", npyFile(descr: "<f4", shape: [0, 3], payload: []))
        assertDatasetError(.emptyDataset, [path, "no rows"]) { _ = try NPYReader.read(path: path) }
    }

    func testMissingNPYIsRejected() throws {
        let dir = try TempDir()
        let path = dir.file("absent.npy")
        assertDatasetError(.missingFile, [path, "no such file"]) { _ = try NPYReader.read(path: path) }
    }
}

import Datasets
import Foundation
import XCTest

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TempDir {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("swiftps-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        let directory = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, Array(text.utf8))
    }
}

/// The repository's `data/` directory (bundled MNIST and Iris), found from this source
/// file's real path so the tests work from the scratch package and from the main one.
func repositoryDataDirectory() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["SWIFTPS_DATA_DIR"], !explicit.isEmpty { return explicit }
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        let candidate = url.appendingPathComponent("data/mnist").path
        if FileManager.default.fileExists(atPath: candidate) { return url.appendingPathComponent("data").path }
        url.deleteLastPathComponent()
    }
    throw XCTSkip("the repository's data/ directory was not found above \(#filePath)")
}

/// Asserts that `body` throws a `DatasetError` with `code` whose message contains every
/// one of `parts` (the file, the place, the cause).
func assertDatasetError(_ code: DatasetError.Code, _ parts: [String],
                        file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a \(code) error, nothing was thrown", file: file, line: line)
    } catch let error as DatasetError {
        XCTAssertEqual(error.code, code, "message: \(error)", file: file, line: line)
        for part in parts {
            XCTAssertTrue(error.description.contains(part),
                          "'\(error)' does not mention '\(part)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}

// MARK: - Fixture builders

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

/// An IDX image file: magic, N, rows, columns (big-endian), then the pixels.
func idxImages(count: Int, rows: Int, columns: Int, pixels: [UInt8]? = nil,
               magic: UInt32 = 0x0000_0803) -> [UInt8] {
    let body = pixels ?? (0..<(count * rows * columns)).map { UInt8($0 % 256) }
    return bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns)) + body
}

/// An IDX label file: magic, N (big-endian), then the labels.
func idxLabels(_ labels: [UInt8], count: Int? = nil, magic: UInt32 = 0x0000_0801) -> [UInt8] {
    bigEndian(magic) + bigEndian(UInt32(count ?? labels.count)) + labels
}

/// An NPY file as NumPy writes it: header dict padded with spaces to a 64-byte boundary.
func npyFile(descr: String, shape: [Int], payload: [UInt8], version: UInt8 = 1,
             fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    while (prefix + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    let length = dict.utf8.count
    let lengthBytes: [UInt8] = version == 1
        ? [UInt8(length & 0xFF), UInt8(length >> 8)]
        : [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
    return [0x93] + Array("NUMPY".utf8) + [version, 0] + lengthBytes + Array(dict.utf8) + payload
}

func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value -> [UInt8] in
        let bits = value.bitPattern
        return [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
    }
}

/// Runs python3 with `script`: (exit status, stdout, stderr), nil when python3 cannot start.
func runPython(_ script: String, arguments: [String] = []) -> (status: Int32, out: String, err: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do { try process.run() } catch { return nil }
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// Skips LOUDLY (with the reason) when numpy is not importable.
func requireNumPy() throws {
    guard let result = runPython("import numpy; print(numpy.__version__)"), result.status == 0 else {
        throw XCTSkip("python3 with numpy is not available (`python3 -c \"import numpy\"` failed): the NumPy cross-check did NOT run")
    }
}

import Datasets
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
    private let tensors = [
        SafeTensor(name: "dense0.weight", shape: [2, 3], values: [1, -2, 3.5, 0, 1e-7, -0]),
        SafeTensor(name: "dense0.bias", shape: [3], values: [0.25, 0.5, 0.75]),
        SafeTensor(name: "scalar", shape: [], values: [42]),
        SafeTensor(name: "empty", shape: [0, 4], values: []),
        SafeTensor(name: "q\"uote\\d", shape: [1], values: [.greatestFiniteMagnitude]),
    ]
    private let metadata = ["format": "pt", "swiftps.step": "1200", "note": "line\nbreak \"quoted\""]

    func testRoundTripPreservesTensorsOrderAndMetadata() throws {
        let dir = try TempDir()
        let path = dir.file("model.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        let (read, readMetadata) = try SafeTensors.read(path: path)
        XCTAssertEqual(read, tensors)
        XCTAssertEqual(readMetadata, metadata)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(leftovers, ["model.safetensors"], "no temporary file left behind")
    }

    func testOverwriteReplacesTheFileAtomically() throws {
        let dir = try TempDir()
        let path = dir.file("ckpt.safetensors")
        try SafeTensors.write(tensors, metadata: [:], to: path)
        let second = [SafeTensor(name: "w", shape: [2], values: [7, 8])]
        try SafeTensors.write(second, metadata: ["v": "2"], to: path)
        let (read, readMetadata) = try SafeTensors.read(path: path)
        XCTAssertEqual(read, second)
        XCTAssertEqual(readMetadata, ["v": "2"])
    }

    func testWrittenFileParsesWithoutOurReader() throws {
        let dir = try TempDir()
        let path = dir.file("model.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let n = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(n % 8, 0, "header padded to a multiple of 8")
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        XCTAssertEqual(header["__metadata__"] as? [String: String], metadata)
        var expectedBegin = 0
        for tensor in tensors {
            let entry = try XCTUnwrap(header[tensor.name] as? [String: Any], tensor.name)
            XCTAssertEqual(entry["dtype"] as? String, "F32")
            XCTAssertEqual(entry["shape"] as? [Int], tensor.shape)
            let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
            XCTAssertEqual(offsets, [expectedBegin, expectedBegin + 4 * tensor.values.count])
            let values = stride(from: 8 + n + offsets[0], to: 8 + n + offsets[1], by: 4).map { at in
                Float(bitPattern: bytes[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
            XCTAssertEqual(values, tensor.values, tensor.name)
            expectedBegin = offsets[1]
        }
        XCTAssertEqual(8 + n + expectedBegin, bytes.count, "data ends with the last tensor")
    }

    func testNumPyReadsTheWrittenValues() throws {
        try requireNumPy()
        let dir = try TempDir()
        let path = dir.file("model.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        let script = """
        import json, struct, sys
        import numpy as np
        raw = open(sys.argv[1], "rb").read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        data = raw[8 + n:]
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            b, e = info["data_offsets"]
            a = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
            out[name] = [float(v) for v in a.ravel()]
        print(json.dumps({"tensors": out, "metadata": header["__metadata__"]}))
        """
        let result = try XCTUnwrap(runPython(script, arguments: [path]), "python3 did not start")
        XCTAssertEqual(result.status, 0, result.err)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let arrays = try XCTUnwrap(parsed["tensors"] as? [String: [Double]])
        for tensor in tensors {
            XCTAssertEqual(arrays[tensor.name]?.map { Float($0) }, tensor.values, tensor.name)
        }
        XCTAssertEqual(parsed["metadata"] as? [String: String], metadata)
    }

    func testTruncatedFilesAreRejected() throws {
        let dir = try TempDir()
        let path = dir.file("model.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let short = try dir.write("short.safetensors", Array(bytes.dropLast(3)))
        assertDatasetError(.truncated, [short, "truncated at byte \(bytes.count - 3)"]) { _ = try SafeTensors.read(path: short) }
        let headerCut = try dir.write("header.safetensors", Array(bytes.prefix(40)))
        assertDatasetError(.truncated, [headerCut, "truncated at byte 40", "header bytes from byte 8"]) {
            _ = try SafeTensors.read(path: headerCut)
        }
        let tiny = try dir.write("tiny.safetensors", [1, 2, 3])
        assertDatasetError(.truncated, [tiny, "8-byte header length"]) { _ = try SafeTensors.read(path: tiny) }
    }

    func testGarbageIsRejected() throws {
        let dir = try TempDir()
        let garbage = try dir.write("g.safetensors", (0..<64).map { UInt8(($0 * 37 + 11) % 256) })
        assertDatasetError(.corrupt, [garbage, "exceeds"]) { _ = try SafeTensors.read(path: garbage) }
        let notJSON = try dir.write("j.safetensors", [8, 0, 0, 0, 0, 0, 0, 0] + Array("{nope!!}".utf8))
        assertDatasetError(.corrupt, [notJSON, "header at byte 8 is not a JSON object"]) { _ = try SafeTensors.read(path: notJSON) }
    }

    private func file(_ header: String, data: [UInt8]) -> [UInt8] {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        let n = UInt64(json.count)
        return (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + json + data
    }

    func testInvalidHeaderEntriesAreRejected() throws {
        let dir = try TempDir()
        let f16 = try dir.write("a", file(#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        assertDatasetError(.unsupportedFormat, [f16, "tensor 'w'", "dtype F16"]) { _ = try SafeTensors.read(path: f16) }
        let size = try dir.write("b", file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)))
        assertDatasetError(.invalidTensor, [size, "hold 8 bytes", "needs 12"]) { _ = try SafeTensors.read(path: size) }
        let gap = try dir.write("c", file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8)))
        assertDatasetError(.corrupt, [gap, "starts at data byte 4, expected 0", "gap"]) { _ = try SafeTensors.read(path: gap) }
        let beyond = try dir.write("d", file(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: Array(repeating: 0, count: 8)))
        assertDatasetError(.truncated, [beyond, "tensor 'w' needs data bytes"]) { _ = try SafeTensors.read(path: beyond) }
        let extra = try dir.write("e", file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 8)))
        assertDatasetError(.trailingBytes, [extra, "4 unexpected bytes after the last tensor"]) { _ = try SafeTensors.read(path: extra) }
    }

    func testWriterRejectsInconsistentTensors() throws {
        let dir = try TempDir()
        let path = dir.file("x.safetensors")
        assertDatasetError(.invalidTensor, ["shape [2, 2] needs 4 values, got 3"]) {
            try SafeTensors.write([SafeTensor(name: "w", shape: [2, 2], values: [1, 2, 3])], metadata: [:], to: path)
        }
        assertDatasetError(.invalidTensor, ["'w'", "used twice"]) {
            try SafeTensors.write([SafeTensor(name: "w", shape: [1], values: [1]), SafeTensor(name: "w", shape: [1], values: [2])],
                                  metadata: [:], to: path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        assertDatasetError(.writeFailed, [dir.file("no/such/dir/x.safetensors"), "cannot create"]) {
            try SafeTensors.write([], metadata: [:], to: dir.file("no/such/dir/x.safetensors"))
        }
    }
}

import Foundation
import XCTest

/// The committed protobuf-c code in Sources/CSwiftPSProto is exactly what
/// `cluster/gen-proto` generates from proto/swiftps.proto.
final class GeneratedCodeTests: XCTestCase {
    func testCommittedProtobufCCodeMatchesWhatGenProtoGenerates() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("cluster/gen-proto")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gen-proto-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path, out.path]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if process.terminationStatus == 127 {
            XCTFail("protoc-c is not installed, so the generated code cannot be checked: \(message) (run the project's setup)")
            return
        }
        XCTAssertEqual(process.terminationStatus, 0, "cluster/gen-proto failed: \(message)")

        for file in ["swiftps.pb-c.c", "include/swiftps.pb-c.h"] {
            let fresh = try Data(contentsOf: out.appendingPathComponent(file))
            let committed = try Data(contentsOf: root.appendingPathComponent("Sources/CSwiftPSProto/\(file)"))
            XCTAssertEqual(fresh, committed,
                           "Sources/CSwiftPSProto/\(file) is stale: run cluster/gen-proto after editing proto/swiftps.proto")
        }
    }
}

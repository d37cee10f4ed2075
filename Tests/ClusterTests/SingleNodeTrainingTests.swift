import Foundation
import XCTest

/// `swiftps train --single` end to end: the real binary on the bundled data.
final class SingleNodeTrainingTests: XCTestCase {
    func testMLPReachesNinetyFivePercentOnMNISTInOneEpoch() throws {
        let dir = try Exports.temporaryDirectory()
        let summary = dir.appendingPathComponent("summary.json").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "mlp", "--epochs", "1",
                                       "--summary-json", summary])
        XCTAssertEqual(r.status, 0, r.stderr)
        let s = try Exports.summary(summary)
        let accuracy = try XCTUnwrap(s["test_accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 0.95, r.stdout)
        XCTAssertTrue(r.stdout.contains("epoch 1/1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("result: test accuracy"), r.stdout)
    }

    func testSummaryJSONHasExactlyTheDocumentedKeys() throws {
        let dir = try Exports.temporaryDirectory()
        let summary = dir.appendingPathComponent("summary.json").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "logreg", "--steps", "20",
                                       "--summary-json", summary])
        XCTAssertEqual(r.status, 0, r.stderr)
        let s = try Exports.summary(summary)
        XCTAssertEqual(Set(s.keys), ["test_accuracy", "test_loss", "train_loss", "epochs", "steps",
                                     "samples_per_second", "wall_seconds", "model", "optimizer",
                                     "workers", "servers"])
        XCTAssertEqual(s["steps"] as? Int, 20)
        XCTAssertEqual(s["model"] as? String, "logreg")
        XCTAssertEqual(s["optimizer"] as? String, "sgd")
        let accuracy = try XCTUnwrap(s["test_accuracy"] as? Double)
        XCTAssertTrue((0...1).contains(accuracy))
    }

    func testIrisMLPReachesItsHeldOutAccuracy() throws {
        let dir = try Exports.temporaryDirectory()
        let summary = dir.appendingPathComponent("summary.json").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "iris-mlp", "--summary-json", summary])
        XCTAssertEqual(r.status, 0, r.stderr)
        let accuracy = try XCTUnwrap(try Exports.summary(summary)["test_accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 29.0 / 30.0 - 1e-9, r.stdout)  // 96.67%: 29 of the 30 held-out flowers
    }

    func testExportHoldsOneF32TensorPerWeightAndBiasWithTheModelSpec() throws {
        let dir = try Exports.temporaryDirectory()
        let file = dir.appendingPathComponent("mlp.safetensors").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "mlp", "--steps", "5", "--export", file])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Parse the file here, independently of the writer: u64 header length, JSON header, data.
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        let meta = try XCTUnwrap(header["__metadata__"] as? [String: String])
        XCTAssertEqual(meta["spec"], "flatten dense(128) relu dense(64) relu dense(10)")
        let shapes = header.filter { $0.key != "__metadata__" }.compactMapValues { ($0 as? [String: Any]) }
        XCTAssertEqual(shapes.count, 6)
        var total = 0
        for (_, entry) in shapes {
            XCTAssertEqual(entry["dtype"] as? String, "F32")
            let shape = try XCTUnwrap(entry["shape"] as? [Int])
            total += shape.reduce(1, *)
        }
        XCTAssertEqual(total, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10)
        XCTAssertEqual(data.count, 8 + n + total * 4)
    }

    func testBadFlagsGetAClearMessageAndNonZeroExit() throws {
        let cases: [([String], String)] = [
            (["--model", "resnet"], "resnet"),
            (["--optimizer", "rmsprop"], "rmsprop"),
            (["--lr", "0"], "--lr"),
            (["--lr", "-1"], "--lr"),
            (["--batch", "0"], "--batch"),
            (["--data", "/nonexistent/data.csv"], "/nonexistent/data.csv"),
            (["--model", "conv(32,3) relu maxpool(2) flatten dense(x)"], "dense(x)"),
            (["--mode", "bsp"], "--mode"),
        ]
        for (flags, needle) in cases {
            let r = try SwiftPSBinary.run(["train", "--single"] + flags, timeout: 60)
            XCTAssertNotEqual(r.status, 0, "\(flags) should fail")
            XCTAssertTrue(r.stderr.contains(needle), "\(flags): message should name \(needle): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"),
                           "\(flags) must not crash: \(r.stderr)")
        }
    }

    func testMalformedDataFileIsAClearErrorNotACrash() throws {
        let dir = try Exports.temporaryDirectory()
        let csv = dir.appendingPathComponent("bad.csv")
        try "a,b,label\n1,2,0\n3,oops,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let r = try SwiftPSBinary.run(["train", "--single", "--data", csv.path, "--model", "dense(2)"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("bad.csv"), r.stderr)
        XCTAssertTrue(r.stderr.contains("oops"), r.stderr)
    }
}

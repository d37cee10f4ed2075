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

    func testEvaluateOfAnExportReproducesTheTrainersAccuracy() throws {
        let dir = try Exports.temporaryDirectory()
        let file = dir.appendingPathComponent("logreg.safetensors").path
        let summary = dir.appendingPathComponent("summary.json").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "logreg", "--steps", "100",
                                       "--export", file, "--summary-json", summary])
        XCTAssertEqual(r.status, 0, r.stderr)
        let accuracy = try XCTUnwrap(try Exports.summary(summary)["test_accuracy"] as? Double)
        let e = try SwiftPSBinary.run(["evaluate", file, "--data", "mnist"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains(String(format: "test accuracy %.2f%%", accuracy * 100)), e.stdout)
        let wrong = try SwiftPSBinary.run(["evaluate", file, "--data", "iris"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("[28, 28, 1]"), wrong.stderr)
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

/// docs/EXPORT.md's promise: NumPy alone can load an export and run the model.
final class ExportInNumPyTests: XCTestCase {
    func testNumPyForwardPassOfAnExportReproducesTheReportedAccuracy() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
                && (try? SwiftPSBinary.runProcess(URL(fileURLWithPath: $0), ["-c", "import numpy"], timeout: 60).status) == 0
        }
        guard let python else {
            print("\n*** SKIPPING THE NUMPY EXPORT TEST: no python3 with numpy (scripts/setup --for-tests installs python3-numpy) ***\n")
            throw XCTSkip("no python3 with numpy: the NumPy loading recipe of docs/EXPORT.md is NOT tested")
        }
        let dir = try Exports.temporaryDirectory()
        let file = dir.appendingPathComponent("mlp.safetensors").path
        let summary = dir.appendingPathComponent("summary.json").path
        let r = try SwiftPSBinary.run(["train", "--single", "--model", "mlp", "--steps", "200",
                                       "--export", file, "--summary-json", summary])
        XCTAssertEqual(r.status, 0, r.stderr)
        let reported = try XCTUnwrap(try Exports.summary(summary)["test_accuracy"] as? Double)
        let script = """
        import gzip, json, struct, sys, numpy as np
        raw = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8:8 + n]); header.pop("__metadata__"); data = raw[8 + n:]
        w = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], "<f4").reshape(v["shape"]) for k, v in header.items()}
        x = np.frombuffer(gzip.open(sys.argv[2] + "/t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 784) / 255
        y = np.frombuffer(gzip.open(sys.argv[2] + "/t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
        h = np.maximum(x @ w["layer1.dense.weight"] + w["layer1.dense.bias"], 0)
        h = np.maximum(h @ w["layer3.dense.weight"] + w["layer3.dense.bias"], 0)
        print((((h @ w["layer5.dense.weight"] + w["layer5.dense.bias"]).argmax(1)) == y).mean())
        """
        let mnist = SwiftPSBinary.packageRoot.appendingPathComponent("data/mnist").path
        let p = try SwiftPSBinary.runProcess(URL(fileURLWithPath: python), ["-c", script, file, mnist], timeout: 120)
        XCTAssertEqual(p.status, 0, p.stderr)
        let numpyAccuracy = try XCTUnwrap(Double(p.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), p.stdout)
        XCTAssertEqual(numpyAccuracy, reported, accuracy: 0.0005)
    }
}

import Foundation
import XCTest

/// The project's central claim: synchronous distributed training on N workers and M server
/// shards ends with the weights of single-node training on the same global batches.
///
/// Every run here starts real `swiftps` processes (coordinator, servers, workers) that talk
/// over real ZeroMQ sockets on 127.0.0.1.
final class DistributedEquivalenceTests: XCTestCase {
    /// Runs the same job on a local cluster and as the single-node reference; returns the diff.
    func clusterVersusSingle(workers: Int, servers: Int, model: String = "mlp", optimizer: String,
                             steps: Int, batch: Int = 64, file: StaticString = #filePath,
                             line: UInt = #line) throws -> Exports.Difference {
        let dir = try Exports.temporaryDirectory()
        let cluster = dir.appendingPathComponent("cluster.safetensors").path
        let single = dir.appendingPathComponent("single.safetensors").path
        let common = ["--model", model, "--optimizer", optimizer, "--steps", String(steps),
                      "--batch", String(batch), "--seed", "3", "--blas-threads", "1"]
        let c = try SwiftPSBinary.run(["train", "--workers", String(workers), "--servers", String(servers),
                                       "--export", cluster] + common, timeout: 300)
        XCTAssertEqual(c.status, 0, "cluster run failed:\n\(c.stdout)\n\(c.stderr)", file: file, line: line)
        let s = try SwiftPSBinary.run(["train", "--single", "--schedule-workers", String(workers),
                                       "--export", single] + common, timeout: 300)
        XCTAssertEqual(s.status, 0, "single-node run failed:\n\(s.stderr)", file: file, line: line)
        return try Exports.compare(cluster, single)
    }

    func testSyncMLPEqualsSingleNodeForEveryClusterShapeWithMomentumAndAdam() throws {
        for optimizer in ["momentum", "adam"] {
            for (n, m) in [(1, 1), (2, 1), (2, 2), (4, 2), (4, 3)] {
                let d = try clusterVersusSingle(workers: n, servers: m, optimizer: optimizer, steps: 50)
                XCTAssertLessThanOrEqual(d.maxRelative, 1e-5, "\(optimizer) \(n)×\(m)")
                print("equivalence \(optimizer) \(n) workers × \(m) servers: bitwise \(d.bitwiseEqual), max relative difference \(d.maxRelative)")
            }
        }
    }

    func testSyncCNNOnTwoWorkersAndTwoServersEqualsSingleNode() throws {
        let d = try clusterVersusSingle(workers: 2, servers: 2, model: "cnn", optimizer: "adam",
                                        steps: 20, batch: 32)
        XCTAssertLessThanOrEqual(d.maxRelative, 1e-5)
        print("equivalence cnn 2 × 2: bitwise \(d.bitwiseEqual), max relative difference \(d.maxRelative)")
    }

    func testSameSyncJobTwiceGivesBitwiseIdenticalExports() throws {
        let dir = try Exports.temporaryDirectory()
        var files: [String] = []
        for i in 0..<2 {
            let f = dir.appendingPathComponent("run\(i).safetensors").path
            let r = try SwiftPSBinary.run(["train", "--workers", "3", "--servers", "2", "--model", "mlp",
                                           "--steps", "30", "--seed", "5", "--export", f], timeout: 300)
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            files.append(f)
        }
        let d = try Exports.compare(files[0], files[1])
        XCTAssertTrue(d.bitwiseEqual, "max relative difference \(d.maxRelative)")
    }
}

import Cluster
import Foundation
import XCTest

/// A worker killed mid-job (no goodbye, like a crashed host): the coordinator notices its
/// silence, says which role died, ends the job with a non-zero status, and every other role
/// exits instead of waiting forever.
final class DeadPeerTests: XCTestCase {
    func testKilledWorkerIsDetectedAndTheJobEndsEverywhereNamingIt() throws {
        let port = try LocalCluster.freePort()
        let endpoint = "tcp://127.0.0.1:\(port)"
        let dir = try Exports.temporaryDirectory()
        func start(_ name: String, _ args: [String]) throws -> (Process, URL) {
            let p = Process()
            p.executableURL = SwiftPSBinary.url
            p.arguments = args
            let log = dir.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            return (p, log)
        }
        let (coordinator, coordinatorLog) = try start("coordinator", [
            "coordinator", "--bind", endpoint, "--workers", "2", "--servers", "1", "--model", "mlp",
            "--epochs", "50", "--blas-threads", "1"])
        let (server, _) = try start("server", ["server", "--coordinator", endpoint, "--bind", "tcp://127.0.0.1:*",
                                               "--publish-bind", "tcp://127.0.0.1:*", "--advertise", "127.0.0.1"])
        let (survivor, _) = try start("worker-a", ["worker", "--coordinator", endpoint, "--blas-threads", "1"])
        let (victim, _) = try start("worker-b", ["worker", "--coordinator", endpoint, "--blas-threads", "1"])
        let all = [coordinator, server, survivor, victim]
        defer { for p in all where p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        // Wait until training runs, then kill one worker without warning.
        let started = Date()
        while !((try? String(contentsOf: coordinatorLog, encoding: .utf8)) ?? "").contains("training") {
            XCTAssertLessThan(Date().timeIntervalSince(started), 60, "the job never started")
            if Date().timeIntervalSince(started) > 60 { return }
            usleep(100_000)
        }
        usleep(500_000)
        kill(victim.processIdentifier, SIGKILL)
        let killed = Date()
        while [coordinator, server, survivor].contains(where: \.isRunning), Date().timeIntervalSince(killed) < 45 {
            usleep(100_000)
        }
        let seconds = Date().timeIntervalSince(killed)
        XCTAssertFalse(coordinator.isRunning || server.isRunning || survivor.isRunning,
                       "roles still running \(Int(seconds)) s after a worker died")
        coordinator.waitUntilExit()
        XCTAssertNotEqual(coordinator.terminationStatus, 0)
        let log = (try? String(contentsOf: coordinatorLog, encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("worker") && log.contains("silent"), log)
        XCTAssertFalse(log.contains("Fatal error"), log)
        print("a killed worker ended the job everywhere in \(String(format: "%.1f", seconds)) s")
    }
}

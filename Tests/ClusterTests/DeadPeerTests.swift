import Cluster
import Foundation
import XCTest

/// A worker killed mid-job (no goodbye, like a crashed host): the coordinator notices its
/// silence, says which role died, ends the job with a non-zero status, and every other role
/// exits instead of waiting forever.
final class DeadPeerTests: XCTestCase {
    struct Cluster {
        var coordinator: Process
        var coordinatorLog: URL
        var server: Process
        var workers: [Process]
        var all: [Process] { [coordinator, server] + workers }
    }

    /// Coordinator, one server and two workers as separate processes, on a long job.
    func startCluster() throws -> Cluster {
        let endpoint = "tcp://127.0.0.1:\(try LocalCluster.freePort())"
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
        let (coordinator, log) = try start("coordinator", [
            "coordinator", "--bind", endpoint, "--workers", "2", "--servers", "1", "--model", "mlp",
            "--epochs", "50", "--blas-threads", "1"])
        let (server, _) = try start("server", ["server", "--coordinator", endpoint, "--bind", "tcp://127.0.0.1:*",
                                               "--publish-bind", "tcp://127.0.0.1:*", "--advertise", "127.0.0.1"])
        let (a, _) = try start("worker-a", ["worker", "--coordinator", endpoint, "--blas-threads", "1"])
        let (b, _) = try start("worker-b", ["worker", "--coordinator", endpoint, "--blas-threads", "1"])
        let cluster = Cluster(coordinator: coordinator, coordinatorLog: log, server: server, workers: [a, b])
        let started = Date()
        while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("training") {
            if Date().timeIntervalSince(started) > 60 {
                cluster.all.forEach { kill($0.processIdentifier, SIGKILL) }
                throw XCTSkip("the job never started within 60 s")
            }
            usleep(100_000)
        }
        usleep(500_000)
        return cluster
    }

    /// Waits until none of `processes` runs; returns the seconds it took (capped at 45).
    func secondsUntilExited(_ processes: [Process]) -> Double {
        let start = Date()
        while processes.contains(where: \.isRunning), Date().timeIntervalSince(start) < 45 { usleep(100_000) }
        return Date().timeIntervalSince(start)
    }

    func testKilledWorkerIsDetectedAndTheJobEndsEverywhereNamingIt() throws {
        let c = try startCluster()
        defer { for p in c.all where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        kill(c.workers[1].processIdentifier, SIGKILL)
        let survivors = [c.coordinator, c.server, c.workers[0]]
        let seconds = secondsUntilExited(survivors)
        XCTAssertFalse(survivors.contains(where: \.isRunning), "roles still running \(Int(seconds)) s after a worker died")
        c.coordinator.waitUntilExit()
        XCTAssertNotEqual(c.coordinator.terminationStatus, 0)
        let log = (try? String(contentsOf: c.coordinatorLog, encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("worker") && log.contains("silent"), log)
        XCTAssertFalse(log.contains("Fatal error"), log)
        print("a killed worker ended the job everywhere in \(String(format: "%.1f", seconds)) s")
    }

    func testKilledCoordinatorMakesServersAndWorkersExitWithAnError() throws {
        let c = try startCluster()
        defer { for p in c.all where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        kill(c.coordinator.processIdentifier, SIGKILL)
        let others = [c.server] + c.workers
        let seconds = secondsUntilExited(others)
        XCTAssertFalse(others.contains(where: \.isRunning), "roles still running \(Int(seconds)) s after the coordinator died")
        for p in others {
            p.waitUntilExit()
            XCTAssertNotEqual(p.terminationStatus, 0, "a role whose coordinator vanished must not report success")
        }
        print("a killed coordinator made every role exit in \(String(format: "%.1f", seconds)) s")
    }
}

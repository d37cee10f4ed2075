import Foundation
import XCTest

/// cluster/ssh/launch: the exact ssh commands it runs, its hosts-file validation, and that
/// it stops every role when one fails (run against a local stand-in for ssh and swiftps).
final class DeploymentSSHLauncherTests: XCTestCase {
    private var root: URL { SwiftPSBinary.packageRoot }
    private var launcher: URL { root.appendingPathComponent("cluster/ssh/launch") }
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftps-ssh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func hostsFile(_ text: String) throws -> URL {
        let url = scratch.appendingPathComponent("hosts-\(UUID().uuidString)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func launch(_ args: [String], environment: [String: String] = [:],
                        timeout: TimeInterval = 60) throws -> SwiftPSBinary.Result {
        try SwiftPSBinary.runProcess(URL(fileURLWithPath: "/bin/bash"), [launcher.path] + args,
                                     environment: environment, timeout: timeout)
    }

    func testSSHLauncherDryRunPrintsExactCommands() throws {
        let hosts = try hostsFile("""
            # lab cluster
            node1 coordinator
            node1 server          # shares the coordinator's host
            node2 server 2        # two shards: ports 5556/5557 and 5558/5559
            ops@node3 worker 2

            """)
        let r = try launch([hosts.path, "--dry-run", "--binary", "/opt/swiftps/bin/swiftps",
                            "--", "--epochs", "1", "--data", "my data.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ssh = "ssh -n -o BatchMode=yes -o ServerAliveInterval=15 -o ServerAliveCountMax=4"
        let bin = "/opt/swiftps/bin/swiftps"
        let expected = [
            "# 3 server(s), 2 worker(s); coordinator tcp://node1:5555",
            #"\#(ssh) node1 'echo swiftps-pid=$$; exec \#(bin) coordinator --bind "tcp://*:5555" --workers 2 --servers 3 --epochs 1 --data "my data.csv"'"#,
            #"\#(ssh) node1 'echo swiftps-pid=$$; exec \#(bin) server --coordinator tcp://node1:5555 --bind "tcp://*:5556" --publish-bind "tcp://*:5557" --advertise node1'"#,
            #"\#(ssh) node2 'echo swiftps-pid=$$; exec \#(bin) server --coordinator tcp://node1:5555 --bind "tcp://*:5556" --publish-bind "tcp://*:5557" --advertise node2'"#,
            #"\#(ssh) node2 'echo swiftps-pid=$$; exec \#(bin) server --coordinator tcp://node1:5555 --bind "tcp://*:5558" --publish-bind "tcp://*:5559" --advertise node2'"#,
            #"\#(ssh) ops@node3 'echo swiftps-pid=$$; exec \#(bin) worker --coordinator tcp://node1:5555'"#,
            #"\#(ssh) ops@node3 'echo swiftps-pid=$$; exec \#(bin) worker --coordinator tcp://node1:5555'"#,
        ]
        XCTAssertEqual(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                       expected + [""])
    }

    func testSSHLauncherExampleHostsFileIsValid() throws {
        let r = try launch([root.appendingPathComponent("cluster/ssh/hosts.example").path, "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("coordinator --bind"), r.stdout)
    }

    func testSSHLauncherRejectsMalformedHostsFiles() throws {
        let cases: [(String, String)] = [
            ("a coordinator\nb server\nc wrker\n", ":3: unknown role 'wrker' (expected coordinator, server or worker)"),
            ("a coordinator\nb server\nc coordinator\nd worker\n", ":3: a second coordinator ('c'; the first is 'a' on line 1): exactly one coordinator is allowed"),
            ("a coordinator\nb server 0\nc worker\n", "bad count '0' for server on b (expected a positive integer)"),
            ("a coordinator\nb server\nc worker two\n", "bad count 'two' for worker on c (expected a positive integer)"),
            ("a coordinator\nb server\nc worker 1 2\n", "expected 'host role [count]'"),
            ("b server\nc worker\n", "no coordinator line (exactly one is required)"),
            ("a coordinator 2\nb server\nc worker\n", "coordinator count must be 1, got 2"),
        ]
        for (text, message) in cases {
            let hosts = try hostsFile(text)
            let r = try launch([hosts.path, "--dry-run"])
            XCTAssertEqual(r.status, 2, "accepted a malformed hosts file:\n\(text)\nstdout: \(r.stdout)")
            XCTAssertTrue(r.stderr.contains(message), "expected '\(message)' for:\n\(text)\ngot: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("nothing was started"), r.stderr)
            XCTAssertEqual(r.stdout, "", "printed commands for a malformed hosts file")
        }
        let missing = try launch([scratch.appendingPathComponent("nope").path, "--dry-run"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read hosts file"), missing.stderr)
    }

    /// A stand-in for ssh that runs the remote command locally, so the launcher's process
    /// handling runs for real without any remote host.
    private func fakeSSH() throws -> URL {
        let url = scratch.appendingPathComponent("fake-ssh")
        try "#!/bin/sh\nfor a; do cmd=\"$a\"; done\nexec sh -c \"$cmd\"\n".write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    private var fakeSwiftPS: String { root.appendingPathComponent("cluster/netns/testing/fake-swiftps").path }

    func testSSHLauncherCollectsPrefixedLogsOfEveryRole() throws {
        let hosts = try hostsFile("localhost coordinator\nlocalhost server 2\n127.0.0.1 worker 2\n")
        let logs = scratch.appendingPathComponent("logs")
        let r = try launch([hosts.path, "--ssh", try fakeSSH().path, "--binary", fakeSwiftPS,
                            "--log-dir", logs.path, "--", "--epochs", "1"],
                           environment: ["FAKE_SWIFTPS_MODE": "sleep", "FAKE_SWIFTPS_SECONDS": "2"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for name in ["coordinator@localhost", "server-1@localhost", "server-2@localhost",
                     "worker-1@127.0.0.1", "worker-2@127.0.0.1"] {
            let log = try String(contentsOf: logs.appendingPathComponent("\(name).log"), encoding: .utf8)
            XCTAssertTrue(log.contains("fake-swiftps argv: "), "\(name).log: \(log)")
            XCTAssertTrue(r.stdout.contains("[\(name)] fake-swiftps argv: "), r.stdout)
        }
        let server2 = try String(contentsOf: logs.appendingPathComponent("server-2@localhost.log"), encoding: .utf8)
        XCTAssertTrue(server2.contains("argv: server --coordinator tcp://localhost:5555 --bind tcp://*:5558 --publish-bind tcp://*:5559 --advertise localhost"), server2)
        let coordinator = try String(contentsOf: logs.appendingPathComponent("coordinator@localhost.log"), encoding: .utf8)
        XCTAssertTrue(coordinator.contains("argv: coordinator --bind tcp://*:5555 --workers 2 --servers 2 --epochs 1"), coordinator)
    }

    func testSSHLauncherStopsEveryRoleWhenOneFails() throws {
        let hosts = try hostsFile("localhost coordinator\nlocalhost server\n127.0.0.1 worker 2\n")
        let pids = scratch.appendingPathComponent("pids")
        try FileManager.default.createDirectory(at: pids, withIntermediateDirectories: true)
        let started = Date()
        let r = try launch([hosts.path, "--ssh", try fakeSSH().path, "--binary", fakeSwiftPS,
                            "--log-dir", scratch.appendingPathComponent("logs").path],
                           environment: ["FAKE_SWIFTPS_MODE": "sleep", "FAKE_SWIFTPS_SECONDS": "60",
                                         "FAKE_SWIFTPS_FAIL_ROLE": "worker", "FAKE_SWIFTPS_PIDDIR": pids.path])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("exited with status 3; stopping every role"), r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the launcher waited for the healthy roles instead of stopping them")
        let files = try FileManager.default.contentsOfDirectory(atPath: pids.path)
        XCTAssertEqual(files.count, 4, "expected 4 role processes, saw \(files)")
        usleep(500_000)
        for file in files {
            let pid = pid_t(file.replacingOccurrences(of: ".pid", with: ""))!
            XCTAssertNotEqual(kill(pid, 0), 0, "role process \(pid) is still running after the launcher stopped")
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
    }
}

import Foundation

/// Where the `swiftps` executable built alongside these tests lives, and a way to run it.
///
/// The test bundle and the executable land in the same build products directory
/// (`.build/<triple>/<config>/`), so the binary is found next to the running test process
/// rather than by a hard-coded configuration name.
enum SwiftPSBinary {
    static var url: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On Linux the test runner is `<products>/SwiftPSPackageTests.xctest` (a file).
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("swiftps")
    }

    /// The package root (for data/, cluster/, docker-compose.yml), found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary to completion with a deadline; a run past it is killed and reported.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 300) throws -> Result {
        try runProcess(url, arguments, environment: environment, timeout: timeout)
    }

    static func runProcess(_ executable: URL, _ arguments: [String],
                           environment: [String: String] = [:],
                           timeout: TimeInterval = 300) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftps-test-\(UUID().uuidString).out")
        let errURL = outURL.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        var err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        if timedOut { err += "\n[test harness] killed after \(Int(timeout)) s\n" }
        return Result(status: timedOut ? -9 : process.terminationStatus, stdout: out, stderr: err)
    }
}

extension SwiftPSBinary {
    /// A TCP socket listening on 127.0.0.1 at a free port, to make a bind elsewhere fail.
    static func listeningSocket() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, ok else { throw NSError(domain: "SwiftPSBinary", code: 1) }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}

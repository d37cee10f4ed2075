import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `swiftps train --workers N --servers M`: a coordinator, M servers and N workers as
/// separate processes of this same binary on 127.0.0.1, their output prefixed by role.
///
/// Fail fast: the moment any child exits with an error, every other child is stopped
/// (SIGTERM, then SIGKILL after 2 s) and the run fails with a message naming the role and
/// the last lines it wrote. Every child is reaped before this returns.
public final class LocalCluster: @unchecked Sendable {
    public struct Role: Sendable {
        public var name: String
        public var arguments: [String]

        public init(name: String, arguments: [String]) {
            self.name = name
            self.arguments = arguments
        }
    }

    let executable: String
    let roles: [Role]
    let output = NSLock()

    public init(executable: String, roles: [Role]) {
        self.executable = executable
        self.roles = roles
    }

    /// A free TCP port on 127.0.0.1 for the coordinator (the servers bind port 0 and
    /// advertise what they got, so only the coordinator needs one known in advance).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError(.io, "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound else { throw ClusterError(.io, "cannot bind a probe socket on 127.0.0.1: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    final class Child: @unchecked Sendable {
        let role: Role
        let process = Process()
        var tail: [String] = []
        var partial = Data()
        init(role: Role) { self.role = role }
    }

    /// Runs every role to completion; returns the first role's (the coordinator's) status.
    public func run(timeout: Double? = nil) throws -> Int32 {
        var children: [Child] = []
        defer {
            for c in children where c.process.isRunning { kill(c.process.processIdentifier, SIGKILL) }
            for c in children { c.process.waitUntilExit() }
        }
        for role in roles {
            let child = Child(role: role)
            child.process.executableURL = URL(fileURLWithPath: executable)
            child.process.arguments = role.arguments
            let pipe = Pipe()
            child.process.standardOutput = pipe
            child.process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                self?.emit(data, from: child)
            }
            do {
                try child.process.run()
            } catch {
                throw ClusterError(.io, "cannot start \(role.name): \(error.localizedDescription)")
            }
            children.append(child)
        }
        let start = Date()
        var coordinatorDone: Date?
        while true {
            if let failed = children.first(where: { !$0.process.isRunning && $0.process.terminationStatus != 0 }) {
                stopAll(children)
                flush(children)
                let status = failed.process.terminationStatus
                let how = failed.process.terminationReason == .uncaughtSignal ? "was killed by signal \(status)" : "exited with status \(status)"
                let last = output.withLock { failed.tail.suffix(5).joined(separator: "\n  ") }
                throw ClusterError(.peerFailed, "\(failed.role.name) \(how); the cluster was stopped. Its last output:\n  \(last)")
            }
            if children.allSatisfy({ !$0.process.isRunning }) { break }
            // The coordinator finished the job: every other role was told to shut down and has
            // a grace period to do so; one that lingers is stopped and named, not waited on.
            if let first = children.first, !first.process.isRunning {
                if coordinatorDone == nil { coordinatorDone = Date() }
                if let done = coordinatorDone, Date().timeIntervalSince(done) > 10 {
                    let lingering = children.filter { $0.process.isRunning }.map(\.role.name)
                    stopAll(children)
                    flush(children)
                    FileHandle.standardError.write(Data("warning: \(lingering.joined(separator: ", ")) still running 10 s after the coordinator finished; stopped\n".utf8))
                    break
                }
            }
            if let timeout, Date().timeIntervalSince(start) > timeout {
                stopAll(children)
                throw ClusterError(.timeout, "the local cluster did not finish within \(Int(timeout)) s")
            }
            usleep(50_000)
        }
        flush(children)
        return children.first?.process.terminationStatus ?? 0
    }

    private func stopAll(_ children: [Child]) {
        for c in children where c.process.isRunning { kill(c.process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        while children.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(20_000) }
        for c in children where c.process.isRunning { kill(c.process.processIdentifier, SIGKILL) }
    }

    private func flush(_ children: [Child]) {
        for c in children {
            if let pipe = c.process.standardOutput as? Pipe {
                pipe.fileHandleForReading.readabilityHandler = nil
                emit(pipe.fileHandleForReading.readDataToEndOfFile(), from: c)
            }
            output.withLock {
                if !c.partial.isEmpty {
                    let line = String(decoding: c.partial, as: UTF8.self)
                    c.partial.removeAll()
                    c.tail.append(line)
                    print("[\(c.role.name)] \(line)")
                }
            }
        }
        fflush(nil)
    }

    /// Prefixes each complete line with the role; keeps the last lines for failure reports.
    private func emit(_ data: Data, from child: Child) {
        guard !data.isEmpty else { return }
        output.withLock {
            child.partial.append(data)
            while let nl = child.partial.firstIndex(of: UInt8(ascii: "\n")) {
                let lineData = child.partial[child.partial.startIndex..<nl]
                var line = String(decoding: lineData, as: UTF8.self)
                child.partial.removeSubrange(child.partial.startIndex...nl)
                // Live progress lines (carriage returns) are for terminals, not logs.
                if let cr = line.lastIndex(of: "\r") { line = String(line[line.index(after: cr)...]) }
                if line.isEmpty { continue }
                child.tail.append(line)
                if child.tail.count > 50 { child.tail.removeFirst(child.tail.count - 50) }
                print("[\(child.role.name)] \(line)")
            }
            fflush(nil)
        }
    }
}

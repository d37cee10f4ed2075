import Cluster
import Foundation

/// The parent's handle on one server-shard child process.
final class PeerProcess {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    let shard: ShardEndpoints

    init(rank: Int, parameterCount: Int, servers: Int, options: TransportBenchmark.Options) throws {
        let range = ShardEndpoints.range(rank: rank, servers: servers, parameterCount: parameterCount)
        process.executableURL = URL(fileURLWithPath: options.executable)
        var args = options.peerArguments + [
            "--serve-mode", "peer", "--serve-rank", "\(rank)",
            "--serve-keys", "\(range.lowerBound):\(range.upperBound):\(parameterCount)",
            "--serve-transport", options.transport.rawValue,
        ]
        if let b = options.socketBufferBytes { args += ["--serve-buffer", "\(b)"] }
        if !options.tuneAllocator { args += ["--serve-default-malloc"] }
        process.arguments = args
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The child prints one line when its sockets are bound: "READY <wire> <data> <back> <rep>".
        var line = Data()
        let deadline = Date(timeIntervalSinceNow: 20)
        while !line.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard words.count == 5, words[0] == "READY" else {
            process.terminate()
            throw BenchError("server \(rank) did not start (said: \(words.joined(separator: " "))); command: \(options.executable) \(args.joined(separator: " "))")
        }
        shard = ShardEndpoints(rank: rank, range: range, wire: words[1], bareData: words[2], bareBack: words[3], bareRep: words[4])
    }

    /// Closing the child's stdin tells it to exit; it is killed if it does not.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date(timeIntervalSinceNow: 3)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

struct ShardEndpoints: Sendable {
    let rank: Int
    let range: Range<Int>
    let wire: String
    let bareData: String
    let bareBack: String
    let bareRep: String

    /// The shard's keys, split exactly as the cluster splits them.
    static func range(rank: Int, servers: Int, parameterCount: Int) -> Range<Int> {
        KeyRanges.split(count: parameterCount, parts: servers)[rank]
    }
}

import ArgumentParser
import Benchmarks
import Foundation

/// `swiftps bench transport`: Wire's push / pull / push+pull throughput against bare
/// libzmq moving the same bytes in the same run (see docs/BENCHMARKS.md).
///
/// Pinned to one CPU: run under `taskset -c 0 swiftps bench transport`; the spawned
/// server processes inherit the affinity.
struct TransportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Measure Wire push/pull throughput against bare libzmq between real processes.",
        discussion: """
            Spawns one server-shard process per server (a copy of this executable) and runs \
            the workers in this process. Prints µs per op, GB/s (one worker's vector per op) \
            and the ratio to the bare-libzmq ceiling measured in the same run. \
            Pin to one CPU with `taskset -c 0 swiftps bench transport`.
            """)

    @Option(help: "Payload sizes (one worker's vector), comma-separated, K/M suffixes.")
    var sizes = "4K,64K,1M,16M"

    @Option(help: "Timed repetitions per measurement; the median is reported.")
    var repetitions = 9

    @Option(help: "Transport between processes: tcp (127.0.0.1) or ipc (unix sockets).")
    var transport = "tcp"

    @Option(help: "Topology: 1x1 (1 server × 1 worker), 2x2 (2 servers × 2 workers) or all.")
    var topology = "1x1"

    @Option(help: "Pushes in flight per server before waiting for acks (1 = send, wait, send).")
    var pushWindow = 4

    @Option(help: "ZMQ_SNDBUF/ZMQ_RCVBUF in bytes for every socket (default: kernel autotuning).")
    var socketBuffer: Int?

    @Flag(help: "Leave glibc malloc at its defaults (large frames then cost an mmap + page faults each, in Wire and bare alike).")
    var defaultMalloc = false

    // Hidden: the server-shard side, run in the child processes the benchmark spawns.
    @Option(help: .hidden) var serveMode: String?
    @Option(help: .hidden) var serveRank = 0
    @Option(help: .hidden) var serveKeys: String?
    @Option(help: .hidden) var serveTransport = "tcp"
    @Option(help: .hidden) var serveBuffer: Int?
    @Flag(help: .hidden) var serveDefaultMalloc = false

    func validate() throws {
        if serveMode != nil { return }
        guard TransportBenchmark.parseSizes(sizes) != nil else {
            throw ValidationError("--sizes: expected e.g. 4K,64K,1M,16M, got \(sizes)")
        }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be ≥ 1") }
        guard TransportBenchmark.Transport(rawValue: transport) != nil else {
            throw ValidationError("--transport: expected tcp or ipc, got \(transport)")
        }
        guard topology == "all" || TransportBenchmark.Topology(rawValue: topology) != nil else {
            throw ValidationError("--topology: expected 1x1, 2x2 or all, got \(topology)")
        }
        guard pushWindow >= 1 else { throw ValidationError("--push-window must be ≥ 1") }
    }

    func run() throws {
        if serveMode != nil {
            guard let keys = serveKeys, let (lo, hi, n) = TransportBenchmark.ServeConfig.parseKeys(keys),
                  let t = TransportBenchmark.Transport(rawValue: serveTransport) else {
                throw ValidationError("bad --serve-keys/--serve-transport")
            }
            try TransportBenchmark.serve(.init(rank: serveRank, keyLo: lo, keyHi: hi, parameterCount: n,
                                               transport: t, socketBufferBytes: serveBuffer,
                                               tuneAllocator: !serveDefaultMalloc))
        }
        var options = TransportBenchmark.Options()
        options.sizes = TransportBenchmark.parseSizes(sizes) ?? options.sizes
        options.repetitions = repetitions
        options.transport = TransportBenchmark.Transport(rawValue: transport) ?? .tcp
        options.topologies = topology == "all" ? TransportBenchmark.Topology.allCases
            : [TransportBenchmark.Topology(rawValue: topology) ?? .oneByOne]
        options.pushWindow = pushWindow
        options.socketBufferBytes = socketBuffer
        options.tuneAllocator = !defaultMalloc
        options.peerArguments = ["bench", "transport"]
        _ = try TransportBenchmark.run(options)
    }
}

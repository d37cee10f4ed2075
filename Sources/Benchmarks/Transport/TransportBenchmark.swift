import Foundation

/// `swiftps bench transport`: Wire's push / pull / push+pull against bare libzmq moving the
/// same bytes, measured in the same run, between real processes.
///
/// The parent process is the worker side (one thread per worker, each with its own
/// ZeroMQ context, as separate worker processes would have); every server shard is a
/// child process: a copy of this executable (`/proc/self/exe`) started with the hidden
/// `--serve-mode` option. Servers do what a real shard does with the bytes: validate the
/// header, frame lengths and gradient finiteness, read frames in place, and answer pulls
/// with a zero-copy weights frame.
public enum TransportBenchmark {
    public enum Transport: String, Sendable, CaseIterable { case tcp, ipc }

    public enum Topology: String, Sendable, CaseIterable {
        case oneByOne = "1x1", twoByTwo = "2x2"
        public var servers: Int { self == .oneByOne ? 1 : 2 }
        public var workers: Int { self == .oneByOne ? 1 : 2 }
    }

    public struct Options: Sendable {
        /// Payload sizes in bytes: one worker's full parameter vector.
        public var sizes: [Int] = [4 << 10, 64 << 10, 1 << 20, 16 << 20]
        /// Timed repetitions per measurement; the median is reported (one untimed warm-up).
        public var repetitions = 9
        public var transport: Transport = .tcp
        public var topologies: [Topology] = [.oneByOne]
        /// Pushes a worker keeps in flight per server before waiting for acks (1 = strict
        /// send-then-wait). Every push is still acknowledged and timed until its ack.
        public var pushWindow = 4
        /// ZMQ_SNDBUF / ZMQ_RCVBUF for every socket (nil: the kernel's autotuning).
        public var socketBufferBytes: Int? = nil
        /// Bytes each timed repetition should move (sets the op count per size).
        public var bytesPerRepetition = 48 << 20
        /// Arguments that lead from this executable to the transport command (e.g.
        /// ["bench", "transport"] for `swiftps bench transport`), for spawning the peers.
        public var peerArguments: [String] = ["bench", "transport"]
        /// The executable spawned for peers.
        public var executable = "/proc/self/exe"
        /// Keep large frame buffers on the malloc heap in every process (see AllocatorTuning).
        public var tuneAllocator = true

        public init() {}
    }

    /// One measured line.
    public struct Measurement: Sendable {
        public var topology: Topology
        public var size: Int
        public var operation: String
        public var secondsPerOp: Double
        public var baseline: String?
        public var baselineSecondsPerOp: Double?

        /// Median over repetitions of (bare time ÷ this time), each pair measured back to back.
        public var pairedRatio: Double? = nil

        public var gigabytesPerSecond: Double { Double(size) / secondsPerOp / 1e9 }
        public var ratio: Double? { pairedRatio ?? baselineSecondsPerOp.map { $0 / secondsPerOp } }
    }

    /// Runs every requested measurement, printing lines through `print` as they finish.
    public static func run(_ options: Options, print: (String) -> Void = { Swift.print($0) }) throws -> [Measurement] {
        var all: [Measurement] = []
        if options.tuneAllocator { AllocatorTuning.apply() }
        print("transport benchmark: \(options.transport), sizes \(options.sizes.map(formatSize).joined(separator: ", ")), median of \(options.repetitions), push window \(options.pushWindow)")
        print("affinity: \(cpuAffinityDescription()) (pin with `taskset -c 0 …`; peers inherit it)")
        for topology in options.topologies {
            print("")
            print("topology \(topology.rawValue): \(topology.servers) server process(es) × \(topology.workers) worker(s), keys split evenly across servers")
            print(pad("size", 8) + pad("operation", 12) + pad("µs/op", 10, right: true) + pad("GB/s", 8, right: true)
                  + "   " + pad("bare ceiling", 24) + pad("bare GB/s", 10, right: true) + pad("ratio", 8, right: true))
            for size in options.sizes {
                let ms = try measure(topology: topology, size: size, options: options)
                for m in ms { print(line(m)) }
                all += ms
            }
        }
        return all
    }

    static func measure(topology: Topology, size: Int, options: Options) throws -> [Measurement] {
        let floats = max(topology.servers, size / 4)
        let ops = max(8, min(4000, options.bytesPerRepetition / max(1, size)))
        let servers = try (0..<topology.servers).map { rank in
            try PeerProcess(rank: rank, parameterCount: floats, servers: topology.servers, options: options)
        }
        defer { for s in servers { s.stop() } }
        let shards = servers.map(\.shard)
        let bench = try WorkerBench(shards: shards, parameterCount: floats, workers: topology.workers, options: options)

        // Interleaved: every repetition measures each operation and its bare ceiling back to
        // back, and a ratio is the median of the per-repetition ratios. A burst of load from a
        // neighbour on this shared VM then hits both sides of a ratio, not just one of them.
        let kinds: [(String, () throws -> Double)] = [
            ("bareOneWay", { try bench.bareOneWay(ops: ops) }),
            ("push", { try bench.wirePush(ops: ops) }),
            ("bareFetch", { try bench.bareFetch(ops: ops) }),
            ("pull", { try bench.wirePull(ops: ops) }),
            ("bareEcho", { try bench.bareEcho(ops: ops) }),
            ("push+pull", { try bench.wirePushPull(ops: ops) }),
            ("push,pull", { try bench.wirePushThenPull(ops: ops) }),
        ]
        for (_, body) in kinds { _ = try body() }   // warm-up: connections, page faults, TCP windows
        var samples: [String: [Double]] = [:]
        for _ in 0..<options.repetitions {
            for (name, body) in kinds { samples[name, default: []].append(try body()) }
        }
        func median(_ xs: [Double]) -> Double {
            let t = xs.sorted()
            return t.isEmpty ? .nan : t[t.count / 2]
        }
        func pairedRatio(_ op: String, _ bare: String) -> Double {
            median(zip(samples[bare] ?? [], samples[op] ?? []).map { $0 / $1 })
        }
        let bareOneWay = median(samples["bareOneWay"] ?? [])
        let bareFetch = median(samples["bareFetch"] ?? [])
        let bareEcho = median(samples["bareEcho"] ?? [])
        let push = median(samples["push"] ?? [])
        let pull = median(samples["pull"] ?? [])
        let pushPull = median(samples["push+pull"] ?? [])
        let pushThenPull = median(samples["push,pull"] ?? [])
        let rejected = try bench.rejections()
        if rejected > 0 { throw BenchError("servers rejected \(rejected) message(s): the benchmark is broken") }
        func m(_ op: String, _ t: Double, _ b: String, _ bt: Double, _ bareKey: String) -> Measurement {
            Measurement(topology: topology, size: floats * 4, operation: op, secondsPerOp: t, baseline: b,
                        baselineSecondsPerOp: bt, pairedRatio: pairedRatio(op, bareKey))
        }
        return [
            m("push", push, "PUSH/PULL one-way stream", bareOneWay, "bareOneWay"),
            m("pull", pull, "REQ(8 B)/REP(N B) fetch", bareFetch, "bareFetch"),
            m("push+pull", pushPull, "REQ/REP echo round trip", bareEcho, "bareEcho"),
            m("push,pull", pushThenPull, "REQ/REP echo round trip", bareEcho, "bareEcho"),
        ]
    }

    static func line(_ m: Measurement) -> String {
        var s = pad(formatSize(m.size), 8) + pad(m.operation, 12)
            + pad(String(format: "%.1f", m.secondsPerOp * 1e6), 10, right: true)
            + pad(String(format: "%.3f", m.gigabytesPerSecond), 8, right: true)
        if let b = m.baseline, let bt = m.baselineSecondsPerOp, let r = m.ratio {
            s += "   " + pad(b, 24) + pad(String(format: "%.3f", Double(m.size) / bt / 1e9), 10, right: true)
                + pad(String(format: "%.0f%%", r * 100), 8, right: true)
        }
        return s
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }

    public static func formatSize(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) B"
    }

    /// Parses "4K,64K,1M,16M" (K/M/G binary multiples, or plain bytes).
    public static func parseSizes(_ text: String) -> [Int]? {
        var out: [Int] = []
        for part in text.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces).uppercased()
            let mult: Int
            var digits = Substring(p)
            if p.hasSuffix("KIB") || p.hasSuffix("K") { mult = 1 << 10 }
            else if p.hasSuffix("MIB") || p.hasSuffix("M") { mult = 1 << 20 }
            else if p.hasSuffix("GIB") || p.hasSuffix("G") { mult = 1 << 30 }
            else { mult = 1 }
            digits = digits.prefix { $0.isNumber }
            guard let v = Int(digits), v > 0 else { return nil }
            out.append(v * mult)
        }
        return out.isEmpty ? nil : out
    }

    static func cpuAffinityDescription() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return "unknown" }
        return "CPUs " + line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

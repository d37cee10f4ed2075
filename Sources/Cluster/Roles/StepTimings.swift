#if canImport(Glibc)
import Glibc
#endif

/// Where a role's time per step goes, for `swiftps bench cluster`'s breakdown.
///
/// Accumulated with the monotonic clock (two reads per phase, no allocation) and reported
/// once at the end of a run in a message's free-text field as `key=seconds` pairs, which
/// keeps the wire schema free of benchmark-only fields.
struct StepTimings {
    private(set) var seconds: [String: Double] = [:]
    private var started: UInt64 = 0
    let keys: [String]

    init(_ keys: [String]) {
        self.keys = keys
        for k in keys { seconds[k] = 0 }
    }

    mutating func begin() { started = Clock.now }

    /// Adds `value` seconds to `key` (for quantities measured outside the lap clock).
    mutating func add(_ key: String, _ value: Double) { seconds[key, default: 0] += value }

    /// CPU seconds this process has used, all threads (OpenBLAS helpers included).
    static var processCPUSeconds: Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Adds the time since the last `begin`/`lap` to `key` and starts the next phase.
    mutating func lap(_ key: String) {
        let now = Clock.now
        seconds[key, default: 0] += Double(now &- started) / 1e9
        started = now
    }

    /// "timing compute=0.123 push=0.045 …"
    var text: String {
        "timing " + keys.map { "\($0)=\(seconds[$0] ?? 0)" }.joined(separator: " ")
    }

    static func parse(_ text: String) -> [String: Double]? {
        guard text.hasPrefix("timing ") else { return nil }
        var out: [String: Double] = [:]
        for pair in text.dropFirst("timing ".count).split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, let v = Double(kv[1]) { out[String(kv[0])] = v }
        }
        return out
    }
}

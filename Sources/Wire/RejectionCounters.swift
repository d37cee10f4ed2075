import Logging

/// Thread-safe tallies of accepted and rejected messages, by reason, plus rate-limited
/// logging of rejections.
///
/// Why rate-limited: a misbehaving peer (or a fuzzer) can send thousands of bad messages
/// a second; logging each would turn a bad peer into a disk/CPU problem for the receiver.
/// At most one line per reason per `logInterval` is written, carrying the number of
/// similar rejections suppressed since the previous line. Counting is never suppressed.
public final class RejectionCounters: @unchecked Sendable {
    private struct State {
        var accepted = 0
        var rejected: [RejectionReason: Int] = [:]
        var lastLogged: [RejectionReason: ContinuousClock.Instant] = [:]
        var suppressed: [RejectionReason: Int] = [:]
    }

    private let state = Locked(State())
    private let logger: Logger
    public let logInterval: Duration

    public init(logger: Logger = Logger(label: "swiftps.wire.rejections"),
                logInterval: Duration = .seconds(1)) {
        self.logger = logger
        self.logInterval = logInterval
    }

    /// Rejections counted for `reason`.
    public func count(_ reason: RejectionReason) -> Int { state.withLock { $0.rejected[reason] ?? 0 } }

    /// All rejections.
    public var total: Int { state.withLock { $0.rejected.values.reduce(0, +) } }

    /// Messages that passed validation.
    public var accepted: Int { state.withLock { $0.accepted } }

    /// Non-zero counts by reason, for a final report.
    public var snapshot: [RejectionReason: Int] { state.withLock { $0.rejected } }

    /// One line for a final report, e.g. "accepted 1200, rejected 3 (nonFiniteGradient 2, jobIDMismatch 1)".
    public var summary: String {
        let (acc, rej) = state.withLock { ($0.accepted, $0.rejected) }
        let total = rej.values.reduce(0, +)
        if total == 0 { return "accepted \(acc), rejected 0" }
        let parts = RejectionReason.allCases.compactMap { r in rej[r].map { "\(r) \($0)" } }
        return "accepted \(acc), rejected \(total) (\(parts.joined(separator: ", ")))"
    }

    public func recordAccepted() { state.withLock { $0.accepted += 1 } }

    /// Counts the rejection and logs it unless a line for the same reason was written
    /// within `logInterval`.
    public func record(_ rejection: Rejection) {
        let now = ContinuousClock.now
        let suppressedSinceLast: Int? = state.withLock { s in
            s.rejected[rejection.reason, default: 0] += 1
            if let last = s.lastLogged[rejection.reason], now - last < logInterval {
                s.suppressed[rejection.reason, default: 0] += 1
                return nil
            }
            s.lastLogged[rejection.reason] = now
            let n = s.suppressed[rejection.reason] ?? 0
            s.suppressed[rejection.reason] = 0
            return n
        }
        guard let n = suppressedSinceLast else { return }
        let tail = n > 0 ? " (\(n) similar rejection(s) suppressed)" : ""
        logger.warning("rejected message: \(rejection)\(tail)")
    }

    /// Clears every count (benchmarks reuse one instance across runs).
    public func reset() { state.withLock { $0 = State() } }
}

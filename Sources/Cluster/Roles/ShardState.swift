import Learning
import Logging
import Wire

/// A shard's weights, optimizer state and the bookkeeping of who pushed what.
///
/// Exactly-once: a push is identified by (worker rank, step). In sync mode the shard is at
/// version t while it collects step-t pushes, so any step < t was already applied and a
/// second step-t push from the same rank is a duplicate; in async/SSP mode each rank's
/// pushes arrive in step order, so a step at or below that rank's last applied step is a
/// duplicate. Duplicates are acknowledged and never applied again.
final class ShardState {
    let job: JobSpec
    let range: Range<Int>
    let identity: RoleIdentity
    let logger: Logger
    let mode: SyncMode
    let optimizer: SliceOptimizer
    let weights: UnsafeMutableBufferPointer<Float>
    /// Sync: one gradient buffer per worker rank, combined in rank order.
    let pending: [UnsafeMutableBufferPointer<Float>]
    let pendingViews: [UnsafeBufferPointer<Float>]
    var received: [Bool]
    /// Sync: each rank's gradient as ZeroMQ received it, read in place (no copy) until the
    /// step is applied; `pending[k]` holds a copy only when a frame is not float-aligned.
    var held: [InboundMessage?]
    var views: [UnsafeBufferPointer<Float>]
    var counts: [Int]
    let combined: UnsafeMutableBufferPointer<Float>
    /// Async/SSP: the last step applied per rank (−1: none yet).
    var lastStep: [Int]
    /// Updates applied (sync: steps; async/SSP: pushes).
    private(set) var version = 0
    let evaluationVersions: Set<Int>
    var timings = StepTimings(["apply", "broadcast"])

    init(job: JobSpec, range: Range<Int>, identity: RoleIdentity, logger: Logger) throws {
        self.job = job
        self.range = range
        self.identity = identity
        self.logger = logger
        mode = job.syncMode
        optimizer = SliceOptimizer(config: try job.optimizerConfig(), count: range.count)
        weights = .allocate(capacity: range.count)
        weights.initialize(repeating: 0)
        let n = max(1, job.workers)
        pending = mode == .sync ? (0..<n).map { _ in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: range.count)
            b.initialize(repeating: 0)
            return b
        } : []
        pendingViews = pending.map { UnsafeBufferPointer($0) }
        received = Array(repeating: false, count: n)
        held = Array(repeating: nil, count: n)
        views = Array(repeating: UnsafeBufferPointer(start: nil, count: 0), count: n)
        counts = Array(repeating: 0, count: n)
        combined = .allocate(capacity: range.count)
        combined.initialize(repeating: 0)
        lastStep = Array(repeating: -1, count: n)
        evaluationVersions = Set(job.evaluationVersions)
    }

    deinit {
        weights.deallocate()
        pending.forEach { $0.deallocate() }
        combined.deallocate()
    }

    /// The step every live worker has completed: what SSP workers wait on.
    var clock: Int {
        mode == .sync ? version : (lastStep.min() ?? -1) + 1
    }

    func handle(_ m: InboundMessage, router: WireSocket, publisher: WireSocket, coordinator: WireSocket) throws {
        let h = m.header
        guard let from = m.identity else { return }
        switch h.kind {
        case .push:
            guard h.role == .worker, h.rank >= 0, h.rank < received.count else {
                try reply(error: "push from unknown sender \(h.role) \(h.rank)", to: from, router: router)
                return
            }
            guard h.keyLo == range.lowerBound, h.keyHi == range.upperBound else {
                try reply(error: "push for [\(h.keyLo), \(h.keyHi)) but this shard owns exactly [\(range.lowerBound), \(range.upperBound))", to: from, router: router)
                return
            }
            // The example count weights this push in the rank-order sum; a count outside what a
            // worker's local batch can be would skew (0: divide by zero) every weight.
            guard h.exampleCount >= 1, h.exampleCount <= max(1, job.globalBatch) else {
                try reply(error: "push from worker \(h.rank) claims \(h.exampleCount) examples; a local batch has 1...\(job.globalBatch)", to: from, router: router)
                return
            }
            let applied = try push(m, publisher: publisher, coordinator: coordinator)
            if mode != .sync {
                // Async/SSP: the pusher gets the weights its push produced straight back, ahead
                // of the ack on the same pipe, so it never computes on weights older than its
                // own last update (ps-lite's push-then-pull), without waiting for anyone else.
                var w = weightsHeader()
                w.step = clock
                _ = try router.send(header: w, frames: [Float.frame(UnsafeBufferPointer(weights))], to: from, wait: false)
            }
            // A sync worker learns its push was applied from the next weights, so an accepted
            // sync push gets no ack (one message and one wake-up fewer per worker and step);
            // a duplicate is always answered, so a resending worker hears why nothing changed.
            if mode == .sync && applied { return }
            var ack = identity.header(.pushAck)
            ack.step = h.step
            ack.version = version
            ack.keyLo = range.lowerBound
            ack.keyHi = range.upperBound
            ack.text = applied ? "" : "duplicate"
            _ = try router.send(header: ack, to: from, wait: false)
        case .pull:
            var w = weightsHeader()
            w.step = clock
            _ = try router.send(header: w, frames: [Float.frame(UnsafeBufferPointer(weights))], to: from, wait: false)
        case .heartbeat:
            break
        default:
            try reply(error: "a server does not handle \(h.kind)", to: from, router: router)
        }
    }

    /// Returns false for a duplicate (already applied or already collected).
    private func push(_ m: InboundMessage, publisher: WireSocket, coordinator: WireSocket) throws -> Bool {
        let h = m.header
        let k = h.rank
        switch mode {
        case .sync:
            if h.step < version { return false }
            guard h.step == version else {
                throw ClusterError(.protocolViolation, "worker \(k) pushed step \(h.step) while shard \(identity.rank) is at step \(version) of a sync job")
            }
            if received[k] { return false }
            let raw = m.frame(0)
            if raw.count == range.count * 4, let base = raw.baseAddress,
               Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                held[k] = m
                views[k] = UnsafeRawBufferPointer(start: base, count: raw.count).bindMemory(to: Float.self)
            } else {
                m.copyFloats(frame: 0, into: pending[k])
                views[k] = pendingViews[k]
            }
            counts[k] = h.exampleCount
            received[k] = true
            if received.allSatisfy({ $0 }) {
                timings.begin()
                if views.count == 1 {
                    optimizer.step(parameters: weights, gradients: views[0])
                } else {
                    GradientCombiner.combine(views, exampleCounts: counts, into: combined)
                    optimizer.step(parameters: weights, gradients: UnsafeBufferPointer(combined))
                }
                for i in received.indices {
                    received[i] = false
                    held[i] = nil
                }
                try applied(publisher: publisher, coordinator: coordinator, broadcast: true)
            }
            return true
        case .async, .ssp:
            if h.step <= lastStep[k] { return false }
            timings.begin()
            m.copyFloats(frame: 0, into: combined)
            optimizer.step(parameters: weights, gradients: UnsafeBufferPointer(combined))
            let before = clock
            lastStep[k] = h.step
            try applied(publisher: publisher, coordinator: coordinator, broadcast: clock > before)
            return true
        }
    }

    /// Bumps the version; broadcasts when the clock advanced (every sync step; in SSP when
    /// the slowest worker moved on, which is what waiting workers need to hear; async
    /// workers get their weights in the push reply and need no broadcast).
    private func applied(publisher: WireSocket, coordinator: WireSocket, broadcast: Bool) throws {
        timings.lap("apply")
        defer { timings.lap("broadcast") }
        version += 1
        let frame = Float.frame(UnsafeBufferPointer(weights))
        if broadcast && mode != .async {
            var w = weightsHeader()
            w.step = clock
            _ = try publisher.send(header: w, frames: [frame], wait: false)
        }
        if evaluationVersions.contains(version) {
            var e = identity.header(.evaluate)
            e.version = version
            e.step = clock
            e.keyLo = range.lowerBound
            e.keyHi = range.upperBound
            e.text = timings.text
            _ = try coordinator.send(header: e, frames: [frame])
        }
    }

    private func weightsHeader() -> Header {
        var w = identity.header(.weights)
        w.version = version
        w.keyLo = range.lowerBound
        w.keyHi = range.upperBound
        return w
    }

    private func reply(error: String, to id: [UInt8], router: WireSocket) throws {
        logger.warning("server \(identity.rank): \(error)")
        var h = identity.header(.error)
        h.text = error
        _ = try router.send(header: h, to: id, wait: false)
    }
}

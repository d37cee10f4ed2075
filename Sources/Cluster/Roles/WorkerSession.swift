import Datasets
import Foundation
import Learning
import Logging
import Wire

/// A worker's training loop once it has its job and data: compute, push, take fresh weights.
final class WorkerSession {
    let job: JobSpec
    let identity: RoleIdentity
    let shard: Dataset
    let coordinator: WireSocket
    let logger: Logger
    let mode: SyncMode
    let network: Network
    let schedule: DataSchedule
    let localBatch: Int
    let ranges: [Range<Int>]
    let shardSockets: [WireSocket]
    let subscriber: WireSocket
    let poller = Poller()
    let subscriberIndex: Int
    let shardIndices: [Int]
    let coordinatorIndex: Int
    /// Newest weights version and clock seen from each shard (−1: none yet).
    var knownVersion: [Int]
    var knownClock: [Int]
    /// Async/SSP: the newest step each shard acknowledged (−1: none yet).
    var ackedStep: [Int]
    let gather: BatchGather
    var lastBeat: UInt64 = 0
    var lastCoordinatorMessage = Clock.now
    let weightsPolicy: ValidationPolicy
    var timings = StepTimings(["compute", "push", "wait", "computeCPU"])
    let coordinatorPolicy: ValidationPolicy

    init(job: JobSpec, identity: RoleIdentity, shard: Dataset, context: WireContext,
         coordinator: WireSocket, logger: Logger) throws {
        self.job = job
        self.identity = identity
        self.shard = shard
        self.coordinator = coordinator
        self.logger = logger
        mode = job.syncMode
        do {
            schedule = try DataSchedule(exampleCount: job.trainExampleCount, seed: job.seed,
                                        workers: job.workers, globalBatch: job.globalBatch)
        } catch {
            throw ClusterError(.protocolViolation, "the job's data schedule is invalid: \(error)")
        }
        guard identity.rank >= 0, identity.rank < job.workers,
              schedule.shardSize(worker: identity.rank) == shard.count else {
            throw ClusterError(.protocolViolation, "worker \(identity.rank) received \(shard.count) examples; its schedule expects a different shard")
        }
        localBatch = schedule.localBatchSizes[identity.rank]
        let spec: ModelSpec
        do {
            spec = try ModelSpec(parsing: job.modelSpec)
            network = try Network(spec: spec, inputShape: job.inputShape, classCount: job.classCount,
                                  maxBatch: localBatch)
        } catch {
            throw ClusterError(.protocolViolation, "cannot build the job's model '\(job.modelSpec)': \(error)")
        }
        guard network.parameterCount == job.parameterCount else {
            throw ClusterError(.protocolViolation, "model has \(network.parameterCount) parameters; the job says \(job.parameterCount)")
        }
        ranges = job.shards.map { $0.keyRange }
        guard ranges.first?.lowerBound == 0, ranges.last?.upperBound == job.parameterCount,
              zip(ranges, ranges.dropFirst()).allSatisfy({ $0.upperBound == $1.lowerBound }) else {
            throw ClusterError(.protocolViolation, "the job's shards do not tile [0, \(job.parameterCount))")
        }
        var sockets: [WireSocket] = []
        for s in job.shards {
            let d = try WireSocket(context, .dealer)
            try d.set([.routingID(RoleIdentity.uniqueRoutingID(.worker)), .sendHighWaterMark(0),
                       .receiveHighWaterMark(0), .maxMessageSize(1 << 30)])
            try d.connect(s.routerEndpoint)
            sockets.append(d)
        }
        shardSockets = sockets
        subscriber = try WireSocket(context, .sub)
        try subscriber.set([.subscribe([]), .receiveHighWaterMark(0), .maxMessageSize(1 << 30)])
        for s in job.shards { try subscriber.connect(s.publishEndpoint) }
        subscriberIndex = try poller.add(subscriber)
        var idx: [Int] = []
        for d in sockets { idx.append(try poller.add(d)) }
        shardIndices = idx
        coordinatorIndex = try poller.add(coordinator)
        knownVersion = Array(repeating: -1, count: ranges.count)
        knownClock = Array(repeating: 0, count: ranges.count)
        ackedStep = Array(repeating: -1, count: ranges.count)
        gather = BatchGather(capacity: localBatch, sampleSize: shard.sampleSize)
        weightsPolicy = ValidationPolicy(jobID: identity.jobID, parameterCount: job.parameterCount,
                                         checkGradientsFinite: false,
                                         acceptedKinds: [.weights, .pushAck, .error])
        coordinatorPolicy = ValidationPolicy(jobID: identity.jobID, checkGradientsFinite: false)
    }

    func close() {
        shardSockets.forEach { $0.close() }
        subscriber.close()
    }

    func train() throws {
        // A joining worker always pulls first (DESIGN.md): PUB/SUB only carries later versions.
        try pullLagging(minimumVersion: 0)
        try wait(until: { $0.knownVersion.allSatisfy { $0 >= 0 } }, what: "initial weights", pushes: nil)

        let stepsPerEpoch = job.stepsPerEpoch
        var order: [Int] = []
        var epochLoss = 0.0
        var epochExamples = 0
        var epochStart = Clock.now
        let b = localBatch
        for t in 0..<job.totalSteps {
            let epoch = t / stepsPerEpoch
            let local = t % stepsPerEpoch
            if local == 0 {
                order = schedule.epochOrder(epoch: epoch, worker: identity.rank)
                epochLoss = 0
                epochExamples = 0
                epochStart = Clock.now
            }
            if mode == .ssp {
                let need = t - job.staleness
                try wait(until: { $0.knownClock.allSatisfy { $0 >= need } }, what: "SSP clock \(need)", pushes: nil)
            }
            timings.begin()
            let cpuBefore = StepTimings.processCPUSeconds
            order.withUnsafeBufferPointer { gather.fill(from: shard, order: $0, from: local * b, count: b) }
            let loss = network.lossAndGradient(inputs: gather.features, labels: gather.labels, batch: b)
            guard loss.isFinite else {
                throw ClusterError(.dataMismatch, "worker \(identity.rank): the loss became \(loss) at step \(t); lower --lr")
            }
            epochLoss += Double(loss) * Double(b)
            epochExamples += b
            timings.add("computeCPU", StepTimings.processCPUSeconds - cpuBefore)
            timings.lap("compute")
            try push(step: t)
            timings.lap("push")
            if mode == .sync {
                let need = t + 1
                try wait(until: { $0.knownVersion.allSatisfy { $0 >= need } }, what: "weights of step \(need)", pushes: t)
            } else {
                // Flow control: a worker may not run ahead of its own applied pushes, or it would
                // compute on ever staler weights while its pushes queue up at the shards.
                try wait(until: { $0.ackedStep.allSatisfy { $0 >= t } }, what: "acknowledgement of step \(t)", pushes: t)
            }
            timings.lap("wait")
            if local == stepsPerEpoch - 1 || t == job.totalSteps - 1 {
                var p = identity.header(.progress)
                p.step = epoch
                p.loss = epochLoss / Double(max(epochExamples, 1))
                p.exampleCount = epochExamples
                p.examplesPerSecond = Double(epochExamples) / max(Clock.seconds(since: epochStart), 1e-9)
                if t == job.totalSteps - 1 { p.text = timings.text }
                try coordinator.send(header: p)
            }
            try heartbeatIfDue()
        }
    }

    private func push(step t: Int) throws {
        let grads = UnsafeBufferPointer(network.gradients)
        for (r, range) in ranges.enumerated() {
            var h = identity.header(.push)
            h.step = t
            h.keyLo = range.lowerBound
            h.keyHi = range.upperBound
            h.exampleCount = localBatch
            try shardSockets[r].send(header: h, frames: [Float.frame(UnsafeBufferPointer(rebasing: grads[range]))])
        }
    }

    /// Polls until `condition` holds; on a stall pulls the lagging shards (PUB/SUB may have
    /// dropped a version) and, in sync mode, resends this step's push (shards apply a given
    /// (rank, step) at most once, so a resend is always safe).
    private func wait(until condition: (WorkerSession) -> Bool, what: String, pushes step: Int?) throws {
        let start = Clock.now
        var lastNudge = Clock.now
        while !condition(self) {
            try poller.poll(timeout: .milliseconds(100))
            try handleReadable()
            try heartbeatIfDue()
            if Clock.seconds(since: lastNudge) > 1 {
                lastNudge = Clock.now
                if let step { try push(step: step) }
                try pullLagging(minimumVersion: Int.max)
            }
            if Clock.seconds(since: start) > 4 * Liveness.timeout {
                throw ClusterError(.timeout, "worker \(identity.rank): waited \(Int(4 * Liveness.timeout)) s for \(what); versions \(knownVersion)")
            }
        }
    }

    private func pullLagging(minimumVersion: Int) throws {
        for (r, range) in ranges.enumerated() where knownVersion[r] < minimumVersion {
            var h = identity.header(.pull)
            h.keyLo = range.lowerBound
            h.keyHi = range.upperBound
            try shardSockets[r].send(header: h)
        }
    }

    private func handleReadable() throws {
        if poller.isReadable(subscriberIndex) {
            while let m = try subscriber.receive(policy: weightsPolicy) { try apply(m) }
        }
        for (r, i) in shardIndices.enumerated() where poller.isReadable(i) {
            while let m = try shardSockets[r].receive(policy: weightsPolicy) { try apply(m) }
        }
        if poller.isReadable(coordinatorIndex) {
            while let m = try coordinator.receive(policy: coordinatorPolicy) {
                lastCoordinatorMessage = Clock.now
                switch m.header.kind {
                case .shutdown:
                    throw ClusterError(.peerFailed, "the coordinator ended the job: \(m.header.text)")
                case .error:
                    throw ClusterError(.peerFailed, "coordinator: \(m.header.text)")
                default: break
                }
            }
        }
    }

    private func apply(_ m: InboundMessage) throws {
        let h = m.header
        switch h.kind {
        case .weights:
            guard let r = ranges.firstIndex(where: { $0.lowerBound == h.keyLo && $0.upperBound == h.keyHi }) else {
                logger.warning("worker \(identity.rank): weights for [\(h.keyLo), \(h.keyHi)) match no shard")
                return
            }
            guard h.version > knownVersion[r] else { return }
            let n = m.copyFloats(frame: 0, into: UnsafeMutableBufferPointer(rebasing: network.parameters[ranges[r]]))
            guard n == ranges[r].count else {
                throw ClusterError(.protocolViolation, "shard \(r) sent \(n) weights for a range of \(ranges[r].count)")
            }
            knownVersion[r] = h.version
            knownClock[r] = h.step
        case .pushAck:
            if let r = ranges.firstIndex(where: { $0.lowerBound == h.keyLo && $0.upperBound == h.keyHi }) {
                ackedStep[r] = max(ackedStep[r], h.step)
            }
        case .error:
            throw ClusterError(.peerFailed, "server \(h.rank): \(h.text)")
        default:
            break
        }
    }

    private func heartbeatIfDue() throws {
        let now = Clock.now
        if now &- lastBeat > Liveness.heartbeatInterval {
            lastBeat = now
            _ = try coordinator.send(header: identity.header(.heartbeat), wait: false)
            if poller.isReadable(coordinatorIndex) == false, Clock.seconds(since: lastCoordinatorMessage) > Liveness.timeout {
                throw ClusterError(.peerFailed, "worker \(identity.rank): the coordinator has been silent for \(Int(Liveness.timeout)) s")
            }
        }
    }
}

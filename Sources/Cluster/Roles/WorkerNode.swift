import Datasets
import Foundation
import Learning
import Logging
import Wire

/// A worker: a full model replica that trains on its data shard and talks to every shard.
///
/// One thread owns the worker's sockets (a DEALER to the coordinator, a DEALER per server
/// shard, one SUB for every shard's broadcasts) and also computes: in sync mode a worker has
/// nothing to overlap (it needs step t's weights before step t+1), and a single owner keeps
/// ZeroMQ's no-sharing rule trivially true.
public final class WorkerNode {
    let coordinatorEndpoint: String
    let blasThreads: Int?
    let logger: Logger

    public init(coordinator: String, blasThreads: Int? = nil, logger: Logger = Logger(label: "swiftps.worker")) {
        self.coordinatorEndpoint = coordinator
        self.blasThreads = blasThreads
        self.logger = logger
    }

    public func run() throws {
        let context = try WireContext()
        defer { context.close() }
        let coordinator = try WireSocket(context, .dealer)
        try coordinator.set([.routingID(RoleIdentity.uniqueRoutingID(.worker)),
                             .receiveHighWaterMark(0), .sendHighWaterMark(0), .maxMessageSize(1 << 30)])
        defer { coordinator.close(linger: .milliseconds(500)) }
        try coordinator.connect(coordinatorEndpoint)
        var me = RoleIdentity(role: .worker, rank: 0, jobID: 0)

        // Register, then fetch the data shard chunk by chunk.
        let registration = me.header(.register)
        try coordinator.send(header: registration)
        let anyPolicy = ValidationPolicy(checkGradientsFinite: false)
        let ack = try awaitMessage(on: coordinator, policy: anyPolicy, kind: .registerAck,
                                   timeout: 300, resend: registration)
        guard let job = ack.header.job else {
            throw ClusterError(.protocolViolation, "register_ack without a job spec")
        }
        me.rank = job.rank
        me.jobID = ack.header.jobID
        let threads = blasThreads ?? (job.blasThreads > 0 ? job.blasThreads
            : BLASDefaults.threads(model: "", computeProcesses: job.workers))
        BLAS.setThreads(threads)
        logger.info("worker \(me.rank): job \(job.mode) \(job.workers)×\(job.servers), fetching \(job.shardExampleCount) examples")

        let shard = try fetchShard(job: job, me: me, coordinator: coordinator)
        let session = try WorkerSession(job: job, identity: me, shard: shard, context: context,
                                        coordinator: coordinator, logger: logger)
        defer { session.close() }
        try session.train()
        // Stay until the coordinator says the job is over (it evaluates the final weights).
        let jobPolicy = ValidationPolicy(jobID: me.jobID, checkGradientsFinite: false)
        _ = try awaitMessage(on: coordinator, policy: jobPolicy, kind: .shutdown, timeout: 600,
                             resend: nil, heartbeat: me.header(.heartbeat), silence: Liveness.timeout)
        logger.info("worker \(me.rank): shutdown")
    }

    private func fetchShard(job: JobSpec, me: RoleIdentity, coordinator: WireSocket) throws -> Dataset {
        let sampleSize = job.inputShape.reduce(1, *)
        let total = job.shardExampleCount
        var features = [Float](repeating: 0, count: total * sampleSize)
        var labels = [Int32](repeating: 0, count: total)
        let policy = ValidationPolicy(jobID: me.jobID, checkGradientsFinite: false)
        var index = 0
        var chunkCount = 1
        var received = 0
        while index < chunkCount {
            var request = me.header(.dataChunk)
            request.chunkIndex = index
            try coordinator.send(header: request)
            let m = try awaitMessage(on: coordinator, policy: policy, kind: .dataChunk, timeout: 60,
                                     resend: request)
            let h = m.header
            guard h.chunkIndex == index, m.frameCount == 2, h.frames[0].dtype == .f32, h.frames[1].dtype == .i32 else {
                throw ClusterError(.protocolViolation, "data chunk \(index): unexpected reply (chunk \(h.chunkIndex), \(m.frameCount) frames)")
            }
            let n = h.frames[1].byteCount / 4
            guard h.firstExample >= 0, h.firstExample + n <= total, h.frames[0].byteCount == n * sampleSize * 4 else {
                throw ClusterError(.protocolViolation, "data chunk \(index) of \(n) examples at \(h.firstExample) does not fit a shard of \(total) × \(sampleSize)")
            }
            features.withUnsafeMutableBufferPointer { f in
                _ = m.copyFloats(frame: 0, into: UnsafeMutableBufferPointer(
                    rebasing: f[(h.firstExample * sampleSize)..<((h.firstExample + n) * sampleSize)]))
            }
            labels.withUnsafeMutableBytes { l in
                let src = m.frame(1)
                if let s = src.baseAddress, let d = l.baseAddress {
                    (d + h.firstExample * 4).copyMemory(from: s, byteCount: n * 4)
                }
            }
            received += n
            chunkCount = h.chunkCount
            index += 1
        }
        guard received == total else {
            throw ClusterError(.protocolViolation, "received \(received) examples; the shard has \(total)")
        }
        do {
            return try Dataset(name: "shard \(me.rank)", sampleShape: job.inputShape, features: features,
                               labels: labels, classCount: job.classCount)
        } catch {
            throw ClusterError(.protocolViolation, "the data shard is invalid: \(error)")
        }
    }
}

/// Waits for one message of `kind`, handling the coordinator's errors and shutdowns.
///
/// `silence`: once registered, the coordinator sends a heartbeat every second, so hearing
/// nothing at all for this long means it is gone (a worker must not wait out `timeout`).
func awaitMessage(on socket: WireSocket, policy: ValidationPolicy, kind: MessageKind, timeout: Double,
                  resend: Header?, heartbeat: Header? = nil, silence: Double? = nil) throws -> InboundMessage {
    let start = Clock.now
    var lastSend = Clock.now
    var lastHeard = Clock.now
    let poller = Poller()
    try poller.add(socket)
    while true {
        try poller.poll(timeout: .milliseconds(200))
        while let m = try socket.receive(policy: policy) {
            lastHeard = Clock.now
            if m.header.kind == kind { return m }
            switch m.header.kind {
            case .error: throw ClusterError(.peerFailed, "coordinator: \(m.header.text)")
            case .shutdown: throw ClusterError(.peerFailed, "the coordinator ended the job: \(m.header.text)")
            default: continue
            }
        }
        if Clock.seconds(since: lastSend) > 2 {
            if let resend { try socket.send(header: resend) }
            if let heartbeat { _ = try socket.send(header: heartbeat, wait: false) }
            lastSend = Clock.now
        }
        if let silence, Clock.seconds(since: lastHeard) > silence {
            throw ClusterError(.peerFailed, "the coordinator has been silent for \(Int(silence)) s; it is presumed dead")
        }
        if Clock.seconds(since: start) > timeout {
            throw ClusterError(.timeout, "no \(kind) from the coordinator within \(Int(timeout)) s")
        }
    }
}

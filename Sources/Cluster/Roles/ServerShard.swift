import Foundation
import Learning
import Logging
import Wire

/// A parameter-server shard: owns keys [lo, hi) of the flat parameter vector and their
/// optimizer state, applies pushed gradients and broadcasts fresh weights.
///
/// One thread owns the shard's three sockets (ROUTER for push/pull, PUB for broadcasts,
/// DEALER to the coordinator) and polls them. The optimizer is the same `SliceOptimizer`
/// the single-node trainer runs over the whole vector, and the sync combination is the
/// same `GradientCombiner` call, so a sync cluster's weights equal single-node training's.
public final class ServerShard {
    let coordinatorEndpoint: String
    let bindEndpoint: String
    let publishBindEndpoint: String
    let advertise: String?
    let logger: Logger

    public init(coordinator: String, bind: String = "tcp://*:5556", publishBind: String = "tcp://*:5557",
                advertise: String? = nil, logger: Logger = Logger(label: "swiftps.server")) {
        self.coordinatorEndpoint = coordinator
        self.bindEndpoint = bind
        self.publishBindEndpoint = publishBind
        self.advertise = advertise
        self.logger = logger
    }

    /// The endpoint peers should dial: the bound port on the advertised host.
    func advertised(_ socket: WireSocket, host: String) throws -> String {
        let bound = try socket.lastEndpoint
        // ipc:// names a path on this host: peers dial it as it is (same-host clusters only).
        if bound.hasPrefix("ipc://") || bound.hasPrefix("inproc://") { return bound }
        guard let port = LocalAddress.port(ofEndpoint: bound) else {
            throw ClusterError(.io, "cannot read the port of \(bound)")
        }
        return "tcp://\(host):\(port)"
    }

    public func run() throws {
        let context = try WireContext()
        defer { context.close() }
        let router = try WireSocket(context, .router)
        try router.set([.sendHighWaterMark(0), .receiveHighWaterMark(0), .maxMessageSize(1 << 30),
                        .routerMandatory(false)])
        let publisher = try WireSocket(context, .pub)
        // Weights are versioned and a worker pulls on a gap, so PUB may drop; but dropping is
        // a slow path, so leave room for a few versions per subscriber.
        try publisher.set([.sendHighWaterMark(64)])
        let coordinator = try WireSocket(context, .dealer)
        try coordinator.set([.routingID(RoleIdentity.uniqueRoutingID(.server)),
                             .receiveHighWaterMark(0), .sendHighWaterMark(0)])
        defer {
            router.close()
            publisher.close()
            coordinator.close(linger: .milliseconds(500))
        }
        do {
            try router.bind(bindEndpoint)
            try publisher.bind(publishBindEndpoint)
        } catch {
            throw ClusterError(.io, "server cannot bind \(bindEndpoint) / \(publishBindEndpoint): \(error)")
        }
        let coordinatorHost = LocalAddress.host(ofEndpoint: coordinatorEndpoint) ?? "127.0.0.1"
        let host = advertise ?? LocalAddress.routing(toHost: coordinatorHost) ?? "127.0.0.1"
        let routerEndpoint = try advertised(router, host: host)
        let publishEndpoint = try advertised(publisher, host: host)
        try coordinator.connect(coordinatorEndpoint)

        var me = RoleIdentity(role: .server, rank: 0, jobID: 0)
        var registration = me.header(.register)
        registration.endpoint = routerEndpoint
        registration.publishEndpoint = publishEndpoint
        try coordinator.send(header: registration)
        logger.info("server bound \(routerEndpoint) and \(publishEndpoint); registering with \(coordinatorEndpoint)")

        // Phase 1: wait for the job (the ROUTER is not read until then; pushes queue in ZeroMQ).
        let coordPolicy = ValidationPolicy(checkGradientsFinite: false)
        var lastHeard = Clock.now
        var lastRegister = Clock.now
        var ack: InboundMessage?
        let registrationPoller = Poller()
        try registrationPoller.add(coordinator)
        while ack == nil {
            try registrationPoller.poll(timeout: .milliseconds(200))
            while let m = try coordinator.receive(policy: coordPolicy) {
                lastHeard = Clock.now
                switch m.header.kind {
                case .registerAck: ack = m
                case .shutdown: logger.info("coordinator ended the job before it started: \(m.header.text)"); return
                case .error: throw ClusterError(.peerFailed, "coordinator refused this server: \(m.header.text)")
                default: break
                }
                if ack != nil { break }
            }
            if ack == nil, Clock.seconds(since: lastRegister) > 2 {
                try coordinator.send(header: registration)   // the coordinator may have started late
                lastRegister = Clock.now
            }
            if ack == nil, Clock.seconds(since: lastHeard) > 300 {
                throw ClusterError(.timeout, "no job from the coordinator at \(coordinatorEndpoint) within 300 s")
            }
        }
        guard let ackMessage = ack, let job = ackMessage.header.job else {
            throw ClusterError(.protocolViolation, "register_ack without a job spec")
        }
        me.rank = job.rank
        me.jobID = ackMessage.header.jobID
        let range = ackMessage.header.keyLo..<ackMessage.header.keyHi
        let state = try ShardState(job: job, range: range, identity: me, logger: logger)
        guard ackMessage.copyFloats(frame: 0, into: state.weights) == range.count else {
            throw ClusterError(.protocolViolation, "initial weights for [\(range.lowerBound), \(range.upperBound)) have the wrong size")
        }
        logger.info("server \(me.rank) owns keys [\(range.lowerBound), \(range.upperBound)) of \(job.parameterCount); \(job.mode) mode, \(job.workers) workers")

        // Phase 2: serve.
        let policy = ValidationPolicy(jobID: me.jobID, parameterCount: job.parameterCount,
                                      ownedRange: range, checkGradientsFinite: true,
                                      acceptedKinds: [.push, .pull, .heartbeat])
        let coordJobPolicy = ValidationPolicy(jobID: me.jobID, checkGradientsFinite: false)
        let poller = Poller()
        let routerIndex = try poller.add(router)
        let coordIndex = try poller.add(coordinator)
        var lastBeat: UInt64 = 0
        lastHeard = Clock.now
        while true {
            try poller.poll(timeout: .milliseconds(100))
            if poller.isReadable(routerIndex) {
                while let m = try router.receive(policy: policy) {
                    try state.handle(m, router: router, publisher: publisher, coordinator: coordinator)
                }
            }
            if poller.isReadable(coordIndex) {
                while let m = try coordinator.receive(policy: coordJobPolicy) {
                    lastHeard = Clock.now
                    if m.header.kind == .shutdown {
                        logger.info("server \(me.rank): shutdown (\(m.header.text)); applied \(state.version) updates")
                        if router.counters.total > 0 {
                            logger.warning("server \(me.rank) rejected messages: \(router.counters.summary)")
                        }
                        return
                    }
                }
            }
            let now = Clock.now
            if now &- lastBeat > Liveness.heartbeatInterval {
                lastBeat = now
                _ = try? coordinator.send(header: me.header(.heartbeat), wait: false)
            }
            if Clock.seconds(since: lastHeard) > Liveness.timeout {
                throw ClusterError(.peerFailed, "server \(me.rank): the coordinator has been silent for \(Int(Liveness.timeout)) s")
            }
        }
    }
}

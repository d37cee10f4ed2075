import Datasets
import Foundation
import Learning
import Logging
import Wire

/// The coordinator: owns the job (DESIGN.md, "Processes and sockets").
///
/// One thread owns its one ROUTER socket and runs a poll loop. It admits M servers and N
/// workers, gives each a rank and the job spec, hands servers their initial key range,
/// streams each worker its data shard on request, evaluates the model whenever every shard
/// has reported the weights of an epoch boundary, prints progress, and at the end writes
/// the summary and export and shuts every role down.
public final class Coordinator {
    let job: TrainingJob
    let bindEndpoint: String
    let printer: ProgressPrinter
    let logger: Logger
    /// How long to wait for every role to register before giving up with a clear error.
    let registrationTimeout: Double

    public init(job: TrainingJob, bind: String, printer: ProgressPrinter = ProgressPrinter(),
                registrationTimeout: Double = 300,
                logger: Logger = Logger(label: "swiftps.coordinator")) {
        self.job = job
        self.bindEndpoint = bind
        self.printer = printer
        self.registrationTimeout = registrationTimeout
        self.logger = logger
    }

    struct Peer {
        var identity: [UInt8]
        var rank: Int
        var lastSeen: UInt64
        var endpoint = ""
        var publishEndpoint = ""
        var acked = false
    }

    public func run() throws -> TrainingSummary {
        let wallStart = Clock.now
        let split = try DataSource.load(data: job.data, testData: job.testData,
                                        labelColumn: job.labelColumn, seed: job.seed)
        let state = try CoordinatorState(job: job, split: split, printer: printer, logger: logger)
        let context = try WireContext()
        defer { context.close() }
        let router = try WireSocket(context, .router)
        try router.set([.routerMandatory(true), .sendHighWaterMark(0), .receiveHighWaterMark(0),
                        .maxMessageSize(1 << 30)])
        try router.bind(bindEndpoint)
        defer { router.close(linger: .milliseconds(2000)) }
        let listening = try router.lastEndpoint
        printer.line("coordinator listening on \(listening); waiting for \(job.servers) server\(job.servers == 1 ? "" : "s") and \(job.workers) worker\(job.workers == 1 ? "" : "s")")
        state.router = router

        let poller = Poller()
        try poller.add(router)
        var lastHeartbeat: UInt64 = 0
        let policy = ValidationPolicy(parameterCount: state.parameterCount, checkGradientsFinite: false)
        do {
            while !state.finished {
                try poller.poll(timeout: .milliseconds(100))
                if poller.isReadable(0) {
                    // Drain everything queued; each message is handled to completion.
                    while let message = try router.receive(policy: policy) {
                        try state.handle(message)
                        if state.finished { break }
                    }
                }
                let now = Clock.now
                if now &- lastHeartbeat > Liveness.heartbeatInterval {
                    lastHeartbeat = now
                    state.sendHeartbeats()
                    try state.checkLiveness(now: now, registrationDeadline: registrationTimeout,
                                            started: wallStart)
                }
            }
        } catch {
            state.shutdownAll(reason: "coordinator stopped: \(error)")
            throw error
        }
        let summary = try state.finish(wallSeconds: Clock.seconds(since: wallStart))
        state.shutdownAll(reason: "job complete")
        if router.counters.total > 0 {
            logger.warning("rejected messages: \(router.counters.summary)")
        }
        return summary
    }
}

import Datasets
import Foundation
import Learning
import Logging
import Wire

/// The coordinator's bookkeeping, driven by one message at a time from its poll loop.
final class CoordinatorState {
    let job: TrainingJob
    let split: DataSplit
    let printer: ProgressPrinter
    let logger: Logger
    let network: Network
    let schedule: DataSchedule
    let ranges: [Range<Int>]
    let totalSteps: Int
    let epochsToRun: Int
    let identity: RoleIdentity
    var router: WireSocket?

    var servers: [Coordinator.Peer] = []
    var workers: [Coordinator.Peer] = []
    /// Chunks of each worker's shard, gathered on first request and kept for resends.
    let chunkExamples: Int
    var finished = false

    /// Weights of one evaluation point, assembled from every shard's report.
    struct Snapshot {
        var values: [Float]
        var reported: Set<Int> = []
    }
    var snapshots: [Int: Snapshot] = [:]
    let evaluationVersions: [Int]
    var evaluations: [Int: (loss: Double, accuracy: Double)] = [:]
    /// Per epoch index, per worker rank: (mean loss, examples, examples/s).
    var progress: [Int: [Int: (loss: Double, examples: Int, rate: Double)]] = [:]
    var printedEpochs = 0
    var epochStarted: UInt64 = 0
    var trainingStarted: UInt64 = 0
    var lastTrainLoss = Double.nan
    var finalParameters: [Float] = []
    /// Phase timings reported at the end by each worker and server (seconds, whole run).
    var workerTimings: [Int: [String: Double]] = [:]
    var serverTimings: [Int: [String: Double]] = [:]
    /// Training examples and seconds over finished epochs (an epoch lasts as long as its slowest worker).
    var trainedExamples = 0
    var trainingSeconds = 0.0

    var parameterCount: Int { network.parameterCount }

    init(job: TrainingJob, split: DataSplit, printer: ProgressPrinter, logger: Logger) throws {
        self.job = job
        self.split = split
        self.printer = printer
        self.logger = logger
        do {
            schedule = try DataSchedule(exampleCount: split.train.count, seed: job.seed,
                                        workers: job.workers, globalBatch: job.batch)
        } catch {
            throw ClusterError(.badArgument, "cannot schedule \(split.train.count) examples over \(job.workers) workers: \(error)")
        }
        do {
            network = try Network(spec: job.spec, inputShape: split.train.sampleShape,
                                  classCount: split.train.classCount, maxBatch: 256)
        } catch {
            throw ClusterError(.badArgument, "model \(job.modelName) does not fit data \(split.train.name): \(error)")
        }
        network.initializeParameters(seed: job.seed)
        ranges = KeyRanges.split(count: network.parameterCount, parts: job.servers)
        totalSteps = min(job.maxSteps ?? Int.max, schedule.stepsPerEpoch * job.epochs)
        epochsToRun = (totalSteps + schedule.stepsPerEpoch - 1) / schedule.stepsPerEpoch
        var g = SystemRandomNumberGenerator()
        identity = RoleIdentity(role: .coordinator, rank: 0, jobID: g.next() | 1)
        chunkExamples = max(1, (4 << 20) / max(1, split.train.sampleSize * 4))
        var spec = JobSpec()
        spec.mode = job.mode.rawValue
        spec.workers = job.workers
        spec.totalSteps = totalSteps
        spec.stepsPerEpoch = schedule.stepsPerEpoch
        evaluationVersions = spec.evaluationVersions
        printer.start(job: job, split: split, parameterCount: network.parameterCount,
                      stepsPerEpoch: schedule.stepsPerEpoch, totalSteps: totalSteps)
    }

    // MARK: - Messages

    func handle(_ message: InboundMessage) throws {
        let h = message.header
        guard let from = message.identity else { return }
        if h.kind != .register, h.jobID != identity.jobID {
            logger.warning("ignoring \(h.kind) from a peer of another job (\(h.jobID))")
            return
        }
        touch(from)
        switch h.kind {
        case .register: try register(h, from: from)
        case .dataChunk: try sendChunk(h, to: from)
        case .progress: recordProgress(h)
        case .evaluate: try recordSnapshot(message)
        case .heartbeat: break
        case .error:
            let who = h.role == .server ? "server \(h.rank)" : "worker \(h.rank)"
            throw ClusterError(.peerFailed, "\(who) failed: \(h.text)")
        default:
            logger.warning("coordinator ignores \(h.kind) from \(h.role) \(h.rank)")
        }
    }

    private func touch(_ id: [UInt8]) {
        let now = Clock.now
        if let i = servers.firstIndex(where: { $0.identity == id }) { servers[i].lastSeen = now }
        if let i = workers.firstIndex(where: { $0.identity == id }) { workers[i].lastSeen = now }
    }

    private func register(_ h: Header, from id: [UInt8]) throws {
        switch h.role {
        case .server:
            if let i = servers.firstIndex(where: { $0.identity == id }) {
                if servers[i].acked { try ackServer(i) }   // a resent register: answer again
                return
            }
            guard servers.count < job.servers else {
                try send(errorText: "the job has all \(job.servers) servers it asked for", to: id)
                return
            }
            guard !h.endpoint.isEmpty, !h.publishEndpoint.isEmpty else {
                try send(errorText: "a server must register its router and publish endpoints", to: id)
                return
            }
            servers.append(.init(identity: id, rank: servers.count, lastSeen: Clock.now,
                                 endpoint: h.endpoint, publishEndpoint: h.publishEndpoint))
            printer.line("server \(servers.count - 1) registered: \(h.endpoint) (publishes on \(h.publishEndpoint))")
            if servers.count == job.servers {
                for i in servers.indices { try ackServer(i) }
                for i in workers.indices where !workers[i].acked { try ackWorker(i) }
            }
        case .worker:
            if let i = workers.firstIndex(where: { $0.identity == id }) {
                if workers[i].acked { try ackWorker(i) }
                return
            }
            guard workers.count < job.workers else {
                try send(errorText: "the job has all \(job.workers) workers it asked for", to: id)
                return
            }
            workers.append(.init(identity: id, rank: workers.count, lastSeen: Clock.now))
            printer.line("worker \(workers.count - 1) registered")
            if servers.count == job.servers { try ackWorker(workers.count - 1) }
        case .coordinator:
            try send(errorText: "a coordinator cannot register with a coordinator", to: id)
        }
    }

    func jobSpec(rank: Int) -> JobSpec {
        var s = JobSpec()
        s.rank = rank
        s.modelSpec = job.spec.description
        s.inputShape = split.train.sampleShape
        s.classCount = split.train.classCount
        s.optimizer = job.optimizer.kind.rawValue
        s.learningRate = job.optimizer.learningRate
        s.momentum = job.optimizer.momentum
        s.beta1 = job.optimizer.beta1
        s.beta2 = job.optimizer.beta2
        s.epsilon = job.optimizer.epsilon
        s.weightDecay = job.optimizer.weightDecay
        s.globalBatch = job.batch
        s.seed = job.seed
        s.workers = job.workers
        s.servers = job.servers
        s.epochs = epochsToRun
        s.totalSteps = totalSteps
        s.stepsPerEpoch = schedule.stepsPerEpoch
        s.mode = job.mode.rawValue
        s.staleness = job.staleness
        s.parameterCount = network.parameterCount
        s.blasThreads = job.blasThreads ?? 0
        s.trainExampleCount = split.train.count
        s.shards = servers.map {
            ShardInfo(rank: $0.rank, keyLo: ranges[$0.rank].lowerBound, keyHi: ranges[$0.rank].upperBound,
                      routerEndpoint: $0.endpoint, publishEndpoint: $0.publishEndpoint)
        }
        return s
    }

    private func ackServer(_ i: Int) throws {
        var h = identity.header(.registerAck)
        h.job = jobSpec(rank: servers[i].rank)
        let r = ranges[servers[i].rank]
        h.keyLo = r.lowerBound
        h.keyHi = r.upperBound
        let initial = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(network.parameters)[r])
        try router?.send(header: h, frames: [Float.frame(initial)], to: servers[i].identity)
        servers[i].acked = true
    }

    private func ackWorker(_ i: Int) throws {
        var h = identity.header(.registerAck)
        var spec = jobSpec(rank: workers[i].rank)
        spec.shardExampleCount = schedule.shardSize(worker: workers[i].rank)
        h.job = spec
        try router?.send(header: h, to: workers[i].identity)
        workers[i].acked = true
        if trainingStarted == 0, workers.allSatisfy(\.acked), workers.count == job.workers {
            trainingStarted = Clock.now
            epochStarted = trainingStarted
            printer.line("all \(job.workers) workers and \(job.servers) servers are in; training")
        }
    }

    /// Sends chunk `chunkIndex` of the requesting worker's shard: features (f32) and labels (i32).
    private func sendChunk(_ h: Header, to id: [UInt8]) throws {
        guard let w = workers.first(where: { $0.identity == id }) else {
            try send(errorText: "data requested by an unregistered peer", to: id)
            return
        }
        let examples = schedule.shardExamples(worker: w.rank)
        let chunkCount = max(1, (examples.count + chunkExamples - 1) / chunkExamples)
        guard h.chunkIndex >= 0, h.chunkIndex < chunkCount else {
            try send(errorText: "chunk \(h.chunkIndex) requested; the shard has \(chunkCount)", to: id)
            return
        }
        let lo = h.chunkIndex * chunkExamples
        let hi = min(examples.count, lo + chunkExamples)
        let n = hi - lo
        let size = split.train.sampleSize
        var features = [Float](repeating: 0, count: n * size)
        var labels = [Int32](repeating: 0, count: n)
        examples[lo..<hi].withUnsafeBufferPointer { idx in
            features.withUnsafeMutableBufferPointer { f in
                labels.withUnsafeMutableBufferPointer { l in
                    if let fb = f.baseAddress, let lb = l.baseAddress {
                        split.train.gather(idx, features: fb, labels: lb)
                    }
                }
            }
        }
        var reply = identity.header(.dataChunk)
        reply.chunkIndex = h.chunkIndex
        reply.chunkCount = chunkCount
        reply.firstExample = lo
        try router?.send(header: reply, frames: [.floats(features), .int32s(labels)], to: id)
    }

    private func recordProgress(_ h: Header) {
        if let t = StepTimings.parse(h.text) {
            workerTimings[h.rank] = t
            logger.debug("worker \(h.rank) timings over \(totalSteps) steps: \(h.text)")
        }
        progress[h.step, default: [:]][h.rank] = (h.loss, h.exampleCount, h.examplesPerSecond)
        printReadyEpochs()
    }

    private func recordSnapshot(_ message: InboundMessage) throws {
        let h = message.header
        guard let server = servers.first(where: { $0.rank == h.rank }) else { return }
        let r = ranges[server.rank]
        guard h.keyLo == r.lowerBound, h.keyHi == r.upperBound else {
            throw ClusterError(.protocolViolation, "server \(h.rank) reported weights [\(h.keyLo), \(h.keyHi)) but owns [\(r.lowerBound), \(r.upperBound))")
        }
        var snap = snapshots[h.version] ?? Snapshot(values: [Float](repeating: 0, count: parameterCount))
        snap.values.withUnsafeMutableBufferPointer { all in
            _ = message.copyFloats(frame: 0, into: UnsafeMutableBufferPointer(rebasing: all[r]))
        }
        snap.reported.insert(h.rank)
        if let t = StepTimings.parse(h.text) { serverTimings[h.rank] = t }
        if snap.reported.count == job.servers {
            snapshots[h.version] = nil
            snap.values.withUnsafeBufferPointer { src in
                _ = network.parameters.update(fromContentsOf: src)
            }
            evaluations[h.version] = Evaluator.evaluate(network, on: split.test, batch: 256)
            if h.version == evaluationVersions.last { finalParameters = snap.values }
            printReadyEpochs()
        } else {
            snapshots[h.version] = snap
        }
    }

    /// Prints epoch lines in order, each once its evaluation and every worker's report are in.
    private func printReadyEpochs() {
        while printedEpochs < evaluationVersions.count {
            let e = printedEpochs
            guard let eval = evaluations[evaluationVersions[e]],
                  let reports = progress[e], reports.count == job.workers else { return }
            let examples = reports.values.reduce(0) { $0 + $1.examples }
            let lossSum = reports.values.reduce(0.0) { $0 + $1.loss * Double($1.examples) }
            let slowest = reports.values.map { Double($0.examples) / max($0.rate, 1e-9) }.max() ?? 0
            trainedExamples += examples
            trainingSeconds += slowest
            let rate = Double(examples) / max(slowest, 1e-9)
            let trainLoss = lossSum / Double(max(examples, 1))
            let seconds = Clock.seconds(since: epochStarted)
            epochStarted = Clock.now
            lastTrainLoss = trainLoss
            printer.epochDone(epoch: e + 1, of: epochsToRun, trainLoss: trainLoss, testLoss: eval.loss,
                              testAccuracy: eval.accuracy, samplesPerSecond: rate, seconds: seconds)
            printedEpochs += 1
            if printedEpochs == evaluationVersions.count { finished = true }
        }
    }

    // MARK: - Liveness and shutdown

    func sendHeartbeats() {
        for p in servers + workers {
            _ = try? router?.send(header: identity.header(.heartbeat), to: p.identity, wait: false)
        }
    }

    func checkLiveness(now: UInt64, registrationDeadline: Double, started: UInt64) throws {
        for (role, peers) in [("server", servers), ("worker", workers)] {
            for p in peers where Double(now &- p.lastSeen) / 1e9 > Liveness.timeout {
                throw ClusterError(.peerFailed, "\(role) \(p.rank) has been silent for \(Int(Liveness.timeout)) s; it is presumed dead")
            }
        }
        if servers.count < job.servers || workers.count < job.workers,
           Clock.seconds(since: started) > registrationDeadline {
            throw ClusterError(.timeout, "only \(servers.count)/\(job.servers) servers and \(workers.count)/\(job.workers) workers registered within \(Int(registrationDeadline)) s")
        }
    }

    func shutdownAll(reason: String) {
        var h = identity.header(.shutdown)
        h.text = reason
        for p in servers + workers {
            _ = try? router?.send(header: h, to: p.identity, wait: false)
        }
    }

    private func send(errorText: String, to id: [UInt8]) throws {
        var h = identity.header(.error)
        h.text = errorText
        _ = try router?.send(header: h, to: id, wait: false)
    }

    /// One line saying where a step's time went, mean over workers and over servers.
    var breakdownLine: String? {
        guard !workerTimings.isEmpty, totalSteps > 0 else { return nil }
        func mean(_ t: [Int: [String: Double]], _ key: String) -> Double {
            t.values.map { $0[key] ?? 0 }.reduce(0, +) / Double(max(t.count, 1)) / Double(totalSteps) * 1000
        }
        let compute = mean(workerTimings, "compute"), push = mean(workerTimings, "push"), wait = mean(workerTimings, "wait")
        let updates = Double(job.mode == .sync ? 1 : job.workers)
        // The compute a step costs this host: every worker's compute CPU time, spread over the
        // cores they share. A worker's wall-clock compute understates it when workers take
        // turns on fewer cores than there are workers (a worker that runs alone looks fast).
        let cores = Double(min(ProcessInfo.processInfo.activeProcessorCount, job.workers))
        let computeCPU = mean(workerTimings, "computeCPU") * Double(workerTimings.count) / max(cores, 1)
        return String(format: "breakdown (ms per step): compute %.3f  push %.3f  wait %.3f  step %.3f (worker mean) | apply %.3f  broadcast %.3f (server mean, %.0f update%@ per step) | %d bytes moved per step | compute CPU of all workers per core %.3f",
                      compute, push, wait, compute + push + wait,
                      mean(serverTimings, "apply") * updates, mean(serverTimings, "broadcast") * updates,
                      updates, updates == 1 ? "" : "s", bytesPerStep, computeCPU)
    }

    /// Gradient pushed plus weights received by every worker, per step (payload bytes).
    var bytesPerStep: Int { job.workers * 2 * parameterCount * 4 }

    func finish(wallSeconds: Double) throws -> TrainingSummary {
        if let line = breakdownLine { printer.line(line) }
        let final = evaluationVersions.last.flatMap { evaluations[$0] } ?? (.nan, 0)
        let summary = TrainingSummary(
            testAccuracy: final.accuracy, testLoss: final.loss, trainLoss: lastTrainLoss,
            epochs: epochsToRun, steps: totalSteps,
            samplesPerSecond: Double(trainedExamples) / max(trainingSeconds, 1e-9),
            wallSeconds: wallSeconds, model: job.modelName, optimizer: job.optimizer.kind.rawValue,
            workers: job.workers, servers: job.servers)
        if let path = job.export {
            try finalParameters.withUnsafeBufferPointer { p in
                try ModelExport.write(parameters: p, tensors: network.parameterTensors, spec: job.spec,
                                      modelName: job.modelName, inputShape: split.train.sampleShape,
                                      classCount: split.train.classCount,
                                      extraMetadata: ["workers": String(job.workers),
                                                      "servers": String(job.servers),
                                                      "mode": job.mode.rawValue], to: path)
            }
        }
        if let path = job.summaryJSON { try summary.write(to: path) }
        return summary
    }
}

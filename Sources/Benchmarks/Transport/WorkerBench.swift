import CZeroMQ
import Foundation
import Wire

/// The worker side: one `BenchWorker` per worker, each with its own context and sockets to
/// every server (wire DEALERs, bare PUSH / back-channel DEALER / REQ).
final class WorkerBench {
    let shards: [ShardEndpoints]
    let parameterCount: Int
    let options: TransportBenchmark.Options
    let workers: [BenchWorker]

    init(shards: [ShardEndpoints], parameterCount: Int, workers: Int, options: TransportBenchmark.Options) throws {
        self.shards = shards
        self.parameterCount = parameterCount
        self.options = options
        self.workers = try (0..<max(1, workers)).map {
            try BenchWorker(index: $0, shards: shards, parameterCount: parameterCount, options: options)
        }
    }

    /// Messages rejected anywhere (servers and workers): must be 0 for a valid run.
    func rejections() throws -> Int {
        try workers.map { try $0.serverRejections() }.reduce(0, +)
    }

    func bareOneWay(ops: Int) throws -> Double { try timed(ops) { try $0.bareOneWay(ops: ops) } }
    func bareFetch(ops: Int) throws -> Double { try timed(ops) { try $0.bareRoundTrip(ops: ops, fetch: true) } }
    func bareEcho(ops: Int) throws -> Double { try timed(ops) { try $0.bareRoundTrip(ops: ops, fetch: false) } }
    func wirePush(ops: Int) throws -> Double { try timed(ops) { try $0.wirePush(ops: ops) } }
    func wirePull(ops: Int) throws -> Double { try timed(ops) { try $0.wirePull(ops: ops, push: .none) } }
    func wirePushPull(ops: Int) throws -> Double { try timed(ops) { try $0.wirePull(ops: ops, push: .replyWithWeights) } }
    func wirePushThenPull(ops: Int) throws -> Double { try timed(ops) { try $0.wirePull(ops: ops, push: .thenPull) } }

    /// Seconds per op: every worker runs `ops` ops at once (released together), and the
    /// wall time until the last one finishes is divided by `ops`.
    private func timed(_ ops: Int, _ body: @escaping @Sendable (BenchWorker) throws -> Void) throws -> Double {
        if workers.count == 1 {
            let start = DispatchTime.now().uptimeNanoseconds
            try body(workers[0])
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(ops)
        }
        let gate = StartGate(parties: workers.count)
        let failures = FailureBox()
        let group = DispatchGroup()
        for w in workers {
            group.enter()
            Thread {
                gate.arriveAndWait()
                do { try body(w) } catch { failures.add("\(error)") }
                group.leave()
            }.start()
        }
        gate.waitForAllThenOpen()
        let start = DispatchTime.now().uptimeNanoseconds
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let f = failures.first { throw BenchError(f) }
        return elapsed / Double(ops)
    }
}

/// Releases all worker threads at once, after every one of them is ready, so thread
/// start-up is not timed.
final class StartGate: @unchecked Sendable {
    private let condition = NSCondition()
    private let parties: Int
    private var ready = 0
    private var open = false

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() {
        condition.lock()
        ready += 1
        condition.broadcast()
        while !open { condition.wait() }
        condition.unlock()
    }

    func waitForAllThenOpen() {
        condition.lock()
        while ready < parties { condition.wait() }
        open = true
        condition.broadcast()
        condition.unlock()
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
}

/// One worker's sockets and buffers. `@unchecked Sendable` because it is handed whole to
/// the one thread that runs a measurement; thread creation and join order the accesses,
/// which is all ZeroMQ requires to move a socket between threads.
final class BenchWorker: @unchecked Sendable {
    let index: Int
    let shards: [ShardEndpoints]
    let context: WireContext
    let dealers: [WireSocket]
    let policies: [ValidationPolicy]
    let poller = Poller()
    let gradient: FloatBuffer
    let weights: FloatBuffer
    let bareContext: UnsafeMutableRawPointer
    let barePush: [BareSocket]
    let bareBack: [BareSocket]
    let bareReq: [BareSocket]
    let pushWindow: Int
    private var step = 0

    init(index: Int, shards: [ShardEndpoints], parameterCount: Int, options: TransportBenchmark.Options) throws {
        self.index = index
        self.shards = shards
        pushWindow = max(1, options.pushWindow)
        gradient = FloatBuffer(count: parameterCount)
        for i in 0..<parameterCount { gradient.pointer[i] = Float(i % 97) * 1e-3 }
        weights = FloatBuffer(count: parameterCount)
        context = try WireContext()
        var ds: [WireSocket] = []
        var ps: [ValidationPolicy] = []
        for s in shards {
            let d = try WireSocket(context, .dealer)
            var o: [SocketOption] = [.receiveTimeout(milliseconds: 10_000), .sendHighWaterMark(10_000),
                                     .receiveHighWaterMark(10_000), .routingID(Array("w\(index)".utf8))]
            if let b = options.socketBufferBytes { o += [.sendBuffer(b), .receiveBuffer(b)] }
            try d.set(o)
            try d.connect(s.wire)
            try poller.add(d)
            ds.append(d)
            ps.append(ValidationPolicy(jobID: TransportBenchmark.jobID, parameterCount: parameterCount,
                                       ownedRange: s.range, maxMessageBytes: s.range.count * 4 + 65_536,
                                       checkGradientsFinite: false))
        }
        dealers = ds
        policies = ps

        guard let ctx = zmq_ctx_new() else { throw BenchError("zmq_ctx_new") }
        bareContext = ctx
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, 1)
        var push: [BareSocket] = [], back: [BareSocket] = [], req: [BareSocket] = []
        for s in shards {
            let p = try BareSocket(ctx, ZMQ_PUSH, bufferBytes: options.socketBufferBytes)
            p.setInt(ZMQ_SNDHWM, 10_000)
            try p.connect(s.bareData)
            let b = try BareSocket(ctx, ZMQ_DEALER, bufferBytes: nil)
            b.setBytes(ZMQ_ROUTING_ID, Array("c".utf8) + [UInt8(truncatingIfNeeded: index)])
            try b.connect(s.bareBack)
            try b.send("hello", 5)
            var hi = [UInt8](repeating: 0, count: 8)
            try b.receive(into: &hi, 8)
            let r = try BareSocket(ctx, ZMQ_REQ, bufferBytes: options.socketBufferBytes)
            try r.connect(s.bareRep)
            push.append(p); back.append(b); req.append(r)
        }
        barePush = push; bareBack = back; bareReq = req
    }

    deinit {
        for d in dealers { d.close() }
        context.close()
        for s in barePush + bareBack + bareReq { s.close() }
        zmq_ctx_term(bareContext)
    }

    private func sliceBytes(_ s: Int) -> (UnsafeMutableRawPointer?, Int) {
        let r = shards[s].range
        return (UnsafeMutableRawPointer(gradient.pointer.baseAddress.map { $0 + r.lowerBound }), r.count * 4)
    }

    // MARK: bare libzmq

    /// PUSH streams `ops` vectors (zmq_send, copying) without waiting, then an end marker;
    /// the server acks the end on the back channel once it has drained the stream.
    func bareOneWay(ops: Int) throws {
        for _ in 0..<ops {
            for s in shards.indices {
                let (p, n) = sliceBytes(s)
                try barePush[s].send(p, n)
            }
        }
        var marker = UInt8(truncatingIfNeeded: index)
        for s in shards.indices { try barePush[s].send(&marker, 1) }
        var ack: UInt8 = 0
        for s in shards.indices { try bareBack[s].receive(into: &ack, 1) }
    }

    /// REQ/REP: send the slice and receive it back (echo), or send 8 bytes and receive the
    /// slice (fetch); both copy on send and on receive, as plain zmq_send/zmq_recv do.
    func bareRoundTrip(ops: Int, fetch: Bool) throws {
        let dst = UnsafeMutableRawPointer(weights.pointer.baseAddress)
        for _ in 0..<ops {
            for s in shards.indices {
                let (p, n) = sliceBytes(s)
                if fetch {
                    var want = UInt64(n)
                    try bareReq[s].send(&want, 8)
                } else {
                    try bareReq[s].send(p, n)
                }
            }
            for s in shards.indices {
                let r = shards[s].range
                try bareReq[s].receive(into: dst.map { $0 + r.lowerBound * 4 }, r.count * 4)
            }
        }
    }

    // MARK: Wire

    /// Acknowledged pushes: each shard's slice goes zero-copy, up to `pushWindow` in
    /// flight per server; the op count is complete when every push is acked.
    func wirePush(ops: Int) throws {
        var sent = [Int](repeating: 0, count: shards.count)
        var acked = [Int](repeating: 0, count: shards.count)
        var done = 0
        while done < ops * shards.count {
            for s in shards.indices {
                while sent[s] < ops && sent[s] - acked[s] < pushWindow {
                    try dealers[s].send(header: pushHeader(s), frames: [.zeroCopySlice(gradient, shards[s].range)])
                    sent[s] += 1
                }
            }
            if try poller.poll(timeout: .seconds(10)) == 0 { throw BenchError("no push_ack within 10 s") }
            for s in shards.indices where poller.isReadable(s) {
                while let m = try dealers[s].receive(policy: policies[s], wait: false) {
                    guard m.header.kind == .pushAck else { throw BenchError("expected push_ack, got \(m.header.kind)") }
                    acked[s] += 1
                    done += 1
                }
            }
        }
    }

    enum PushStyle { case none, replyWithWeights, thenPull }

    /// Pull; or push answered by weights (one message each way, `replyWithWeights`); or
    /// push then pull pipelined (both requests go out before either reply is awaited).
    /// The weights are copied into the worker's model vector, as the trainer does.
    func wirePull(ops: Int, push: PushStyle) throws {
        for _ in 0..<ops {
            for s in shards.indices {
                if push != .none {
                    var h = pushHeader(s)
                    h.replyWithWeights = push == .replyWithWeights
                    try dealers[s].send(header: h, frames: [.zeroCopySlice(gradient, shards[s].range)])
                }
                if push != .replyWithWeights {
                    var h = Header(kind: .pull, role: .worker, rank: index, jobID: TransportBenchmark.jobID)
                    h.keyRange = shards[s].range
                    h.step = step
                    try dealers[s].send(header: h)
                }
            }
            for s in shards.indices {
                var gotWeights = false
                while !gotWeights {
                    guard let m = try dealers[s].receive(policy: policies[s], wait: true) else {
                        throw BenchError("no reply from server \(s) within 10 s (rejections: \(dealers[s].counters.summary))")
                    }
                    if m.header.kind == .weights {
                        let r = shards[s].range
                        m.copyFloats(frame: 0, into: UnsafeMutableBufferPointer(rebasing: weights.pointer[r]))
                        gotWeights = true
                    } else if m.header.kind != .pushAck {
                        throw BenchError("unexpected \(m.header.kind)")
                    }
                }
            }
        }
    }

    private func pushHeader(_ s: Int) -> Header {
        step += 1
        var h = Header(kind: .push, role: .worker, rank: index, jobID: TransportBenchmark.jobID)
        h.step = step
        h.keyRange = shards[s].range
        h.exampleCount = 32
        return h
    }

    /// Asks every server how many messages it rejected (a heartbeat answered by progress).
    func serverRejections() throws -> Int {
        var total = 0
        for s in shards.indices {
            try dealers[s].send(header: Header(kind: .heartbeat, role: .worker, rank: index, jobID: TransportBenchmark.jobID))
            guard let m = try dealers[s].receive(policy: policies[s], wait: true) else { throw BenchError("server \(s) silent") }
            total += m.header.exampleCount
        }
        return total + dealers.map { $0.counters.total }.reduce(0, +)
    }
}

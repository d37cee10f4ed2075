import CZeroMQ
import Foundation
import Wire

extension TransportBenchmark {
    /// What a server-shard child is told on its command line.
    public struct ServeConfig: Sendable {
        public var rank: Int
        public var keyLo: Int
        public var keyHi: Int
        public var parameterCount: Int
        public var transport: Transport
        public var socketBufferBytes: Int?
        public var tuneAllocator: Bool

        public init(rank: Int, keyLo: Int, keyHi: Int, parameterCount: Int, transport: Transport,
                    socketBufferBytes: Int?, tuneAllocator: Bool = true) {
            self.tuneAllocator = tuneAllocator
            self.rank = rank
            self.keyLo = keyLo
            self.keyHi = keyHi
            self.parameterCount = parameterCount
            self.transport = transport
            self.socketBufferBytes = socketBufferBytes
        }

        /// Parses "--serve-keys lo:hi:parameterCount".
        public static func parseKeys(_ s: String) -> (Int, Int, Int)? {
            let p = s.split(separator: ":").compactMap { Int($0) }
            guard p.count == 3, p[0] >= 0, p[0] <= p[1], p[1] <= p[2] else { return nil }
            return (p[0], p[1], p[2])
        }
    }

    static let jobID: UInt64 = 0xBE_4C4

    /// The server-shard child: binds a Wire ROUTER (the real protocol) and the bare-libzmq
    /// sockets, prints "READY …" and serves until its stdin closes (the parent exiting
    /// for any reason closes it, so no orphan outlives the benchmark).
    public static func serve(_ config: ServeConfig) throws -> Never {
        func endpoint(_ name: String) -> String {
            config.transport == .tcp ? "tcp://127.0.0.1:0"
                : "ipc:///tmp/swiftps-bench-\(getpid())-\(config.rank)-\(name)"
        }
        if config.tuneAllocator { AllocatorTuning.apply() }
        let range = config.keyLo..<config.keyHi
        let context = try WireContext()
        let router = try WireSocket(context, .router)
        var options: [SocketOption] = [.maxMessageSize(range.count * 4 + 65_536),
                                       .sendHighWaterMark(10_000), .receiveHighWaterMark(10_000)]
        if let b = config.socketBufferBytes { options += [.sendBuffer(b), .receiveBuffer(b)] }
        try router.set(options)
        try router.bind(endpoint("wire"))
        let wireEndpoint = try router.lastEndpoint

        let bare = try BareServer(range: range, bufferBytes: config.socketBufferBytes, endpoint: endpoint)
        // Unbuffered write: the parent blocks on this line.
        FileHandle.standardOutput.write(Data("READY \(wireEndpoint) \(bare.dataEndpoint) \(bare.backEndpoint) \(bare.repEndpoint)\n".utf8))

        let watcher = Thread {
            while !FileHandle.standardInput.availableData.isEmpty {}
            exit(0)
        }
        watcher.start()
        let bareThread = Thread { bare.run() }
        bareThread.start()

        let policy = ValidationPolicy(jobID: jobID, parameterCount: config.parameterCount, ownedRange: range,
                                      maxMessageBytes: range.count * 4 + 65_536, checkGradientsFinite: true,
                                      acceptedKinds: [.push, .pull, .heartbeat])
        let weights = FloatBuffer(count: range.count)
        for i in 0..<weights.count { weights.pointer[i] = Float(range.lowerBound + i) * 1e-6 }
        let loop = try EventLoop(name: "bench-server-\(config.rank)")
        var version = 0
        // What a real shard does per message, served from a Wire event loop as in the trainer.
        func handle(_ message: InboundMessage, _ socket: WireSocket) throws {
            let h = message.header
            var reply = Header(kind: .pushAck, role: .server, rank: config.rank, jobID: jobID)
            reply.step = h.step
            reply.keyRange = h.keyRange
            switch h.kind {
            case .push:
                // A real shard sums the gradient (read in place, aligned or not) here.
                version += 1
                reply.version = version
                if h.replyWithWeights {
                    reply.kind = .weights
                    let slice = (h.keyLo - range.lowerBound)..<(h.keyHi - range.lowerBound)
                    try socket.send(header: reply, frames: [.zeroCopySlice(weights, slice)], to: message.identity)
                } else {
                    try socket.send(header: reply, to: message.identity)
                }
            case .pull:
                reply.kind = .weights
                reply.version = version
                reply.keyRange = range
                try socket.send(header: reply, frames: [.zeroCopy(weights)], to: message.identity)
            default:
                reply.kind = .progress
                reply.exampleCount = socket.counters.total
                reply.text = socket.counters.summary
                try socket.send(header: reply, to: message.identity)
            }
        }
        try loop.run { h in
            h.watch(router, policy: policy) { message, socket in try handle(message, socket) }
        }
        exit(0)
    }
}

/// The bare-libzmq side of a server child: a PULL that drains one-way streams (acking
/// each stream's end over a ROUTER back channel), and a REP that echoes requests (round
/// trip) or answers an 8-byte "fetch N" with N bytes.
final class BareServer: @unchecked Sendable {
    let context: UnsafeMutableRawPointer
    let pull: BareSocket
    let back: BareSocket
    let rep: BareSocket
    let dataEndpoint: String
    let backEndpoint: String
    let repEndpoint: String
    let fetchBuffer: UnsafeMutableRawBufferPointer

    init(range: Range<Int>, bufferBytes: Int?, endpoint: (String) -> String) throws {
        guard let ctx = zmq_ctx_new() else { throw BenchError("zmq_ctx_new") }
        context = ctx
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, 1)
        pull = try BareSocket(ctx, ZMQ_PULL, bufferBytes: bufferBytes)
        back = try BareSocket(ctx, ZMQ_ROUTER, bufferBytes: bufferBytes)
        rep = try BareSocket(ctx, ZMQ_REP, bufferBytes: bufferBytes)
        pull.setInt(ZMQ_RCVHWM, 10_000)
        dataEndpoint = try pull.bind(endpoint("data"))
        backEndpoint = try back.bind(endpoint("back"))
        repEndpoint = try rep.bind(endpoint("rep"))
        fetchBuffer = .allocate(byteCount: max(8, range.count * 4), alignment: 64)
        fetchBuffer.initializeMemory(as: UInt8.self, repeating: 7)
    }

    func run() {
        var items = [
            zmq_pollitem_t(socket: pull.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: back.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: rep.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0),
        ]
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        while true {
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, 3, 1000) }
            if rc < 0 { if swiftps_zmq_errno() == swiftps_zmq_eintr() { continue } else { return } }
            if items[0].revents != 0 {
                while zmq_msg_recv(&msg, pull.handle, ZMQ_DONTWAIT) >= 0 {
                    if zmq_msg_size(&msg) == 1 {   // end of a client's stream: ack it
                        let id: [UInt8] = Array("c".utf8) + [zmq_msg_data(&msg).load(as: UInt8.self)]
                        _ = id.withUnsafeBytes { zmq_send(back.handle, $0.baseAddress, $0.count, ZMQ_SNDMORE) }
                        zmq_send(back.handle, "k", 1, 0)
                    }
                }
            }
            if items[1].revents != 0 {   // hello on the back channel: [id][hello] → [id][hi]
                var id = [UInt8](repeating: 0, count: 256)
                let n = zmq_recv(back.handle, &id, 256, ZMQ_DONTWAIT)
                if n > 0 {
                    var scratch = [UInt8](repeating: 0, count: 16)
                    zmq_recv(back.handle, &scratch, 16, 0)
                    zmq_send(back.handle, id, Int(n), ZMQ_SNDMORE)
                    zmq_send(back.handle, "hi", 2, 0)
                }
            }
            if items[2].revents != 0 && zmq_msg_recv(&msg, rep.handle, ZMQ_DONTWAIT) >= 0 {
                if zmq_msg_size(&msg) == 8 {
                    let n = min(fetchBuffer.count, Int(zmq_msg_data(&msg).loadUnaligned(as: UInt64.self)))
                    zmq_send(rep.handle, fetchBuffer.baseAddress, n, 0)
                } else {
                    zmq_msg_send(&msg, rep.handle, 0)   // echo without a copy
                }
            }
        }
    }
}

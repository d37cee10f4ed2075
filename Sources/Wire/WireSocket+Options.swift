import CZeroMQ

/// Socket options Wire exposes, typed so a caller cannot pass an int where ZeroMQ expects
/// bytes (the other classic wrapper bug).
public enum SocketOption: Sendable {
    /// How long unsent messages are kept after close (Wire's default is 0: never wait
    /// for a peer that may be dead).
    case linger(milliseconds: Int)
    /// Messages queued per peer before sends block / drop (PUB) / fail with EAGAIN.
    case sendHighWaterMark(Int)
    case receiveHighWaterMark(Int)
    /// Largest single part accepted; a larger one makes ZeroMQ drop the connection, which
    /// bounds a receiver's memory before any Swift code runs.
    case maxMessageSize(Int)
    /// ROUTER: fail with `.hostUnreachable` instead of silently dropping a message to an
    /// unknown identity.
    case routerMandatory(Bool)
    case tcpKeepalive(Bool)
    case tcpKeepaliveIdle(seconds: Int)
    case tcpKeepaliveInterval(seconds: Int)
    case tcpKeepaliveCount(Int)
    case ipv6(Bool)
    /// The routing identity a DEALER/REQ presents to a ROUTER (1–255 bytes, not starting
    /// with 0).
    case routingID([UInt8])
    /// SUB: receive messages whose first frame starts with this prefix ([] = all).
    case subscribe([UInt8])
    case unsubscribe([UInt8])
    /// Kernel socket buffer sizes (bytes); larger buffers help multi-MiB frames.
    case sendBuffer(Int)
    case receiveBuffer(Int)
    /// Blocking send/receive timeouts (-1 = forever).
    case sendTimeout(milliseconds: Int)
    case receiveTimeout(milliseconds: Int)
    /// Queue messages only to completed connections (no queueing to a peer never seen).
    case immediate(Bool)
    /// Keep only the last message (PUB/SUB of weights where only the newest matters).
    case conflate(Bool)
    /// Escape hatch for options not listed here (e.g. CURVE keys): raw bytes.
    case raw(option: Int32, bytes: [UInt8])
    /// Escape hatch for int-valued options.
    case rawInt(option: Int32, value: Int32)
}

extension WireSocket {
    public func set(_ option: SocketOption) throws(WireError) {
        switch option {
        case .linger(let ms): try setInt(ZMQ_LINGER, ms, "ZMQ_LINGER")
        case .sendHighWaterMark(let n): try setInt(ZMQ_SNDHWM, n, "ZMQ_SNDHWM")
        case .receiveHighWaterMark(let n): try setInt(ZMQ_RCVHWM, n, "ZMQ_RCVHWM")
        case .maxMessageSize(let n):
            var v = Int64(n)
            try setRaw(ZMQ_MAXMSGSIZE, &v, MemoryLayout<Int64>.size, "ZMQ_MAXMSGSIZE")
        case .routerMandatory(let on): try setInt(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
        case .tcpKeepalive(let on): try setInt(ZMQ_TCP_KEEPALIVE, on ? 1 : 0, "ZMQ_TCP_KEEPALIVE")
        case .tcpKeepaliveIdle(let s): try setInt(ZMQ_TCP_KEEPALIVE_IDLE, s, "ZMQ_TCP_KEEPALIVE_IDLE")
        case .tcpKeepaliveInterval(let s): try setInt(ZMQ_TCP_KEEPALIVE_INTVL, s, "ZMQ_TCP_KEEPALIVE_INTVL")
        case .tcpKeepaliveCount(let n): try setInt(ZMQ_TCP_KEEPALIVE_CNT, n, "ZMQ_TCP_KEEPALIVE_CNT")
        case .ipv6(let on): try setInt(ZMQ_IPV6, on ? 1 : 0, "ZMQ_IPV6")
        case .routingID(let id): try setBytes(ZMQ_ROUTING_ID, id, "ZMQ_ROUTING_ID")
        case .subscribe(let p): try setBytes(ZMQ_SUBSCRIBE, p, "ZMQ_SUBSCRIBE")
        case .unsubscribe(let p): try setBytes(ZMQ_UNSUBSCRIBE, p, "ZMQ_UNSUBSCRIBE")
        case .sendBuffer(let n): try setInt(ZMQ_SNDBUF, n, "ZMQ_SNDBUF")
        case .receiveBuffer(let n): try setInt(ZMQ_RCVBUF, n, "ZMQ_RCVBUF")
        case .sendTimeout(let ms): try setInt(ZMQ_SNDTIMEO, ms, "ZMQ_SNDTIMEO")
        case .receiveTimeout(let ms): try setInt(ZMQ_RCVTIMEO, ms, "ZMQ_RCVTIMEO")
        case .immediate(let on): try setInt(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
        case .conflate(let on): try setInt(ZMQ_CONFLATE, on ? 1 : 0, "ZMQ_CONFLATE")
        case .raw(let opt, let bytes): try setBytes(opt, bytes, "option \(opt)")
        case .rawInt(let opt, let value): try setInt(opt, Int(value), "option \(opt)")
        }
    }

    /// Sets several options in order.
    public func set(_ options: [SocketOption]) throws(WireError) {
        for o in options { try set(o) }
    }

    /// True when the last part received had more parts after it (ZMQ_RCVMORE).
    public var receiveMore: Bool {
        get throws(WireError) { try intOption(ZMQ_RCVMORE, "ZMQ_RCVMORE") != 0 }
    }

    /// The routing identity this socket presents.
    public var routingID: [UInt8] {
        get throws(WireError) {
            let h = try liveHandle("get ZMQ_ROUTING_ID")
            var buf = [UInt8](repeating: 0, count: 256)
            var len = buf.count
            if zmq_getsockopt(h, ZMQ_ROUTING_ID, &buf, &len) != 0 { throw WireError.fromZMQ("get ZMQ_ROUTING_ID") }
            return Array(buf.prefix(len))
        }
    }

    func intOption(_ opt: Int32, _ name: String) throws(WireError) -> Int {
        let h = try liveHandle("get \(name)")
        var v: Int32 = 0
        var len = MemoryLayout<Int32>.size
        if zmq_getsockopt(h, opt, &v, &len) != 0 { throw WireError.fromZMQ("get \(name)") }
        return Int(v)
    }

    func stringOption(_ opt: Int32, _ name: String) throws(WireError) -> String {
        let h = try liveHandle("get \(name)")
        var buf = [CChar](repeating: 0, count: 1024)
        var len = buf.count
        if zmq_getsockopt(h, opt, &buf, &len) != 0 { throw WireError.fromZMQ("get \(name)") }
        let bytes = buf.prefix(len).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func setInt(_ opt: Int32, _ value: Int, _ name: String) throws(WireError) {
        guard let v32 = Int32(exactly: value) else {
            throw WireError(.invalidArgument, "\(name) must fit in Int32, got \(value)")
        }
        var v = v32
        try setRaw(opt, &v, MemoryLayout<Int32>.size, name)
    }

    private func setBytes(_ opt: Int32, _ bytes: [UInt8], _ name: String) throws(WireError) {
        let h = try liveHandle("set \(name)")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(h, opt, $0.baseAddress, $0.count) }
        if rc != 0 { throw WireError.fromZMQ("set \(name) (\(bytes.count) bytes)") }
    }

    private func setRaw(_ opt: Int32, _ value: UnsafeRawPointer, _ size: Int, _ name: String) throws(WireError) {
        let h = try liveHandle("set \(name)")
        if zmq_setsockopt(h, opt, value, size) != 0 { throw WireError.fromZMQ("set \(name)") }
    }
}

import CZeroMQ

extension WireSocket {
    /// Sends a protocol message: [identity] [header] [frames…].
    ///
    /// The header's `frames` are replaced by the dtype and byte length of `frames`, so the
    /// declaration always matches what is sent. Every part is built before the first is
    /// sent: an encoding error cannot leave half a multipart in the pipe.
    ///
    /// - Parameters:
    ///   - identity: required on a ROUTER (the peer to send to), forbidden otherwise.
    ///   - wait: false returns `false` instead of blocking when the peer's queue is full
    ///     (HWM); the event loop uses this so a slow peer cannot stall it.
    /// - Returns: true when queued for sending.
    @discardableResult
    public func send(header: Header, frames: [OutboundFrame] = [], to identity: [UInt8]? = nil,
                     wait: Bool = true) throws(WireError) -> Bool {
        var h = header
        h.frames = frames.map { FrameSpec(dtype: $0.dtype, byteCount: $0.byteCount) }
        let parts = Multipart(capacity: frames.count + 2)
        try addIdentity(identity, to: parts)
        let encoded = try h.encodedMessage()
        try parts.append { (m) throws(WireError) in
            zmq_msg_init(m)
            zmq_msg_move(m, encoded.msg)
        }
        for f in frames { try parts.append { (m) throws(WireError) in try f.initialize(m) } }
        return try send(parts, wait: wait)
    }

    /// Sends raw parts (no header): the benchmarks' bare baseline and malformed-input tests.
    @discardableResult
    public func sendRaw(_ frames: [OutboundFrame], to identity: [UInt8]? = nil,
                        wait: Bool = true) throws(WireError) -> Bool {
        let parts = Multipart(capacity: frames.count + 1)
        try addIdentity(identity, to: parts)
        for f in frames { try parts.append { (m) throws(WireError) in try f.initialize(m) } }
        return try send(parts, wait: wait)
    }

    /// Sends one part; `more` says another part of the same message follows.
    @discardableResult
    public func send(_ message: consuming Message, more: Bool = false, wait: Bool = true) throws(WireError) -> Bool {
        try sendPart(message.msg, more: more, dontWait: !wait)
    }

    private func addIdentity(_ identity: [UInt8]?, to parts: Multipart) throws(WireError) {
        if type.carriesIdentity {
            guard let identity, !identity.isEmpty else {
                throw WireError(.invalidArgument, "a ROUTER socket needs the peer's identity to send")
            }
            try parts.append { (m) throws(WireError) in try OutboundFrame.bytes(identity).initialize(m) }
        } else if identity != nil {
            throw WireError(.invalidArgument, "only ROUTER sockets address peers by identity; this is a \(type)")
        }
    }

    /// Sends every part of `parts`. Only the first part can meet a full queue (ZeroMQ
    /// counts the high-water mark in whole messages and delivers multiparts atomically),
    /// so later parts are sent without DONTWAIT.
    func send(_ parts: Multipart, wait: Bool) throws(WireError) -> Bool {
        for i in 0..<parts.count {
            let more = i + 1 < parts.count
            let sent = try sendPart(parts.slot(i), more: more, dontWait: i == 0 && !wait)
            if !sent { return false }
        }
        return true
    }

    private func sendPart(_ msg: UnsafeMutablePointer<zmq_msg_t>, more: Bool, dontWait: Bool) throws(WireError) -> Bool {
        let h = try liveHandle("send")
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        while true {
            if zmq_msg_send(msg, h, flags) >= 0 { return true }
            let e = swiftps_zmq_errno()
            if e == swiftps_zmq_eintr() { continue }
            if e == swiftps_zmq_eagain() { return false }
            throw WireError.fromZMQ("send on \(type)")
        }
    }
}

import CZeroMQ

/// What one receive produced.
public enum ReceiveOutcome {
    /// A message that passed validation.
    case message(InboundMessage)
    /// A message that failed validation (already counted and logged).
    case rejected(Rejection)
    /// Nothing was waiting (non-blocking receive, or a receive timeout expired).
    case nothing
}

extension WireSocket {
    /// Receives one message and validates it against `policy`.
    ///
    /// - Returns: the message, or nil when nothing was waiting or the message was rejected
    ///   (rejections are counted in `counters` and logged, rate-limited).
    /// - Throws: only for transport failures (`.contextTerminated` on shutdown), never for
    ///   bad input.
    public func receive(policy: ValidationPolicy, wait: Bool = false) throws(WireError) -> InboundMessage? {
        if case .message(let m) = try receiveOutcome(policy: policy, wait: wait) { return m }
        return nil
    }

    /// Like `receive(policy:wait:)` but says why a message was rejected.
    public func receiveOutcome(policy: ValidationPolicy, wait: Bool = false) throws(WireError) -> ReceiveOutcome {
        guard let parts = try receiveMultipart(wait: wait, maxParts: policy.maxFrames + 2) else { return .nothing }
        switch policy.validate(parts, identityParts: type.carriesIdentity ? 1 : 0) {
        case .success(let m):
            counters.recordAccepted()
            return .message(m)
        case .failure(let r):
            counters.record(r)
            return .rejected(r)
        }
    }

    /// Receives every part of one multipart message, in place.
    ///
    /// Parts beyond `maxParts` are received and closed at once (counted in
    /// `droppedParts`), so the receiver's memory stays bounded and the next message starts
    /// at a message boundary. nil: nothing waiting (EAGAIN, including RCVTIMEO expiry).
    public func receiveMultipart(wait: Bool = true, maxParts: Int = 66) throws(WireError) -> Multipart? {
        let h = try liveHandle("receive")
        let parts = Multipart()
        var first = true
        while true {
            let keep = parts.count < maxParts
            let slot = parts.nextSlot()
            let rc = zmq_msg_recv(slot, h, first && !wait ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let e = swiftps_zmq_errno()
                parts.discardSlot()
                if e == swiftps_zmq_eintr() { continue }
                if e == swiftps_zmq_eagain() && first { return nil }
                throw WireError.fromZMQ("receive on \(type)")
            }
            first = false
            parts.totalBytes += Int(rc)
            let more = zmq_msg_more(slot) != 0
            if keep {
                parts.commitSlot()
            } else {
                parts.droppedParts += 1
                parts.discardSlot()
            }
            if !more { return parts }
        }
    }

    /// Receives one part (raw API; check `hasMore` for the rest).
    public func receivePart(wait: Bool = true) throws(WireError) -> Message? {
        let h = try liveHandle("receive")
        let m = Message()
        while true {
            if zmq_msg_recv(m.msg, h, wait ? 0 : ZMQ_DONTWAIT) >= 0 { return m }
            let e = swiftps_zmq_errno()
            if e == swiftps_zmq_eintr() { continue }
            if e == swiftps_zmq_eagain() { return nil }
            throw WireError.fromZMQ("receive on \(type)")
        }
    }
}

import CZeroMQ

/// The parts of one received multipart message, read in place (no copies).
///
/// Owns its `zmq_msg_t`s in one heap block (one allocation per message, whatever the
/// part count) and closes each exactly once at deinit; every view it hands out is valid
/// while the `Multipart` is alive. A final class rather than an array of `Message`
/// because arrays cannot hold `~Copyable` elements.
public final class Multipart {
    private var msgs: UnsafeMutablePointer<zmq_msg_t>
    private var capacity: Int
    /// Parts held (at most the receive cap; see `droppedParts`).
    public private(set) var count = 0
    /// Parts received beyond the cap and discarded at once, so a peer sending thousands of
    /// empty parts cannot make the receiver hold them. A message with dropped parts is
    /// always rejected.
    public internal(set) var droppedParts = 0
    /// Sum of the sizes of all parts, including dropped ones.
    public internal(set) var totalBytes = 0

    init(capacity: Int = 4) {
        self.capacity = max(1, capacity)
        msgs = .allocate(capacity: self.capacity)
    }

    /// Initialises the next slot and returns it for zmq_msg_recv to fill.
    func nextSlot() -> UnsafeMutablePointer<zmq_msg_t> {
        let slot = reserveSlot()
        zmq_msg_init(slot)
        return slot
    }

    /// Appends a part built by `fill` (outbound messages are assembled completely before
    /// the first part is sent, so a failure cannot leave a half-sent multipart).
    func append(_ fill: (UnsafeMutablePointer<zmq_msg_t>) throws(WireError) -> Void) throws(WireError) {
        let slot = reserveSlot()
        try fill(slot)
        count += 1
    }

    /// The raw slot of part `i` (for zmq_msg_send).
    func slot(_ i: Int) -> UnsafeMutablePointer<zmq_msg_t> { msgs + i }

    private func reserveSlot() -> UnsafeMutablePointer<zmq_msg_t> {
        if count == capacity {
            let bigger = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: capacity * 2)
            // zmq_msg_move, not a bitwise copy: libzmq owns the struct's layout.
            for i in 0..<count {
                zmq_msg_init(bigger + i)
                zmq_msg_move(bigger + i, msgs + i)
                zmq_msg_close(msgs + i)
            }
            msgs.deallocate()
            msgs = bigger
            capacity *= 2
        }
        return msgs + count
    }

    /// Keeps the slot filled by the last `nextSlot()`.
    func commitSlot() { count += 1 }

    /// Closes the slot handed out by the last `nextSlot()` without keeping it.
    func discardSlot() { zmq_msg_close(msgs + count) }

    /// Part `i`'s bytes; empty for an index out of range (never traps).
    public func part(_ i: Int) -> UnsafeRawBufferPointer {
        guard i >= 0 && i < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let m = msgs + i
        return UnsafeRawBufferPointer(start: zmq_msg_data(m), count: zmq_msg_size(m))
    }

    deinit {
        for i in 0..<count { zmq_msg_close(msgs + i) }
        msgs.deallocate()
    }
}

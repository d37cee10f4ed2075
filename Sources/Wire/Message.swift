import CZeroMQ

/// One ZeroMQ message part (`zmq_msg_t`), closed exactly once.
///
/// `~Copyable` because a `zmq_msg_t` owns a reference-counted buffer: copying the struct
/// bitwise and closing both copies would double-free. The `zmq_msg_t` lives on the heap so
/// its address never changes: small messages store their bytes inline, and a `bytes` view
/// must stay valid while the value is moved around.
public struct Message: ~Copyable {
    let msg: UnsafeMutablePointer<zmq_msg_t>

    /// An empty message, ready to receive into.
    public init() {
        msg = .allocate(capacity: 1)
        zmq_msg_init(msg)
    }

    private init(_ fill: (UnsafeMutablePointer<zmq_msg_t>) throws(WireError) -> Void) throws(WireError) {
        let m = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        do {
            try fill(m)
        } catch {
            m.deallocate()
            throw error
        }
        msg = m
    }

    /// A message holding a copy of `bytes`.
    public init(copying bytes: UnsafeRawBufferPointer) throws(WireError) {
        try self.init { (m) throws(WireError) in try MessageInit.copying(m, bytes) }
    }

    /// An uninitialised message of `size` bytes, to be filled through `mutableBytes`.
    public init(size: Int) throws(WireError) {
        try self.init { (m) throws(WireError) in try MessageInit.sized(m, size) }
    }

    /// A message that sends `buffer`'s floats (or the floats in `range`) without copying
    /// them. The buffer is retained until ZeroMQ's I/O thread is done with it.
    public init(zeroCopy buffer: FloatBuffer, range: Range<Int>? = nil) throws(WireError) {
        try self.init { (m) throws(WireError) in
            try ZeroCopy.initialize(m, buffer: buffer, range: range ?? 0..<buffer.count)
        }
    }

    /// The bytes, valid while this message is alive and unmodified.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(msg), count: zmq_msg_size(msg))
    }

    /// Writable bytes of a message built with `init(size:)`, before it is sent.
    public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: zmq_msg_data(msg), count: zmq_msg_size(msg))
    }

    public var count: Int { zmq_msg_size(msg) }

    /// True when another part of the same multipart message follows.
    public var hasMore: Bool { zmq_msg_more(msg) != 0 }

    deinit {
        // After a successful zmq_msg_send the message is empty; closing it is a no-op.
        zmq_msg_close(msg)
        msg.deallocate()
    }
}

/// Initialisers of a raw `zmq_msg_t` slot, shared by `Message` and outbound `Multipart`s.
/// On throw the slot is left uninitialised (nothing to close).
enum MessageInit {
    static func sized(_ m: UnsafeMutablePointer<zmq_msg_t>, _ size: Int) throws(WireError) {
        if zmq_msg_init_size(m, max(0, size)) != 0 { throw WireError.fromZMQ("zmq_msg_init_size(\(size))") }
    }

    static func copying(_ m: UnsafeMutablePointer<zmq_msg_t>, _ bytes: UnsafeRawBufferPointer) throws(WireError) {
        try sized(m, bytes.count)
        if let src = bytes.baseAddress, bytes.count > 0 {
            zmq_msg_data(m).copyMemory(from: src, byteCount: bytes.count)
        }
    }
}

import CZeroMQ
import Logging

/// A ZeroMQ socket.
///
/// Not `Sendable` on purpose: ZeroMQ sockets are not thread-safe, so a socket belongs to
/// the one thread that created it (usually an `EventLoop`). Other threads reach it by
/// handing work to that loop, never by sharing the object.
///
/// The socket holds its context strongly, so the context cannot be deinitialised (and
/// `zmq_ctx_term` cannot block) while the socket is open. It is closed exactly once, by
/// `close()` or at deinit, always with LINGER 0 unless the caller asks otherwise.
public final class WireSocket {
    public let type: SocketType
    public let context: WireContext
    private(set) var handle: UnsafeMutableRawPointer?
    /// Where rejected and accepted messages received on this socket are counted. Assign a
    /// shared instance to aggregate several sockets into one report.
    public var counters: RejectionCounters

    /// Open sockets in this process, across all contexts (for leak tests and reports).
    public static var openCount: Int { globalOpenCount.withLock { $0 } }
    static let globalOpenCount = Locked(0)

    public init(_ context: WireContext, _ type: SocketType,
                counters: RejectionCounters = RejectionCounters()) throws(WireError) {
        try context.socketOpened()
        guard let h = zmq_socket(context.handle, type.zmqValue) else {
            let error = WireError.fromZMQ("zmq_socket(\(type))")
            context.socketClosed()
            throw error
        }
        self.type = type
        self.context = context
        self.handle = h
        self.counters = counters
        var zero: Int32 = 0
        zmq_setsockopt(h, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
    }

    public var isClosed: Bool { handle == nil }

    func liveHandle(_ what: String) throws(WireError) -> UnsafeMutableRawPointer {
        guard let h = handle else { throw WireError(.socketClosed, "\(what) on a closed \(type) socket") }
        return h
    }

    /// Binds, e.g. "tcp://*:0" (an ephemeral port; read `lastEndpoint` to learn it),
    /// "ipc:///tmp/x", "inproc://name".
    public func bind(_ endpoint: String) throws(WireError) {
        let h = try liveHandle("bind")
        if zmq_bind(h, endpoint) != 0 { throw WireError.fromZMQ("bind \(type) to \(endpoint)") }
    }

    public func unbind(_ endpoint: String) throws(WireError) {
        let h = try liveHandle("unbind")
        if zmq_unbind(h, endpoint) != 0 { throw WireError.fromZMQ("unbind \(type) from \(endpoint)") }
    }

    /// Connects (asynchronously: ZeroMQ reconnects on its own if the peer is not up yet).
    public func connect(_ endpoint: String) throws(WireError) {
        let h = try liveHandle("connect")
        if zmq_connect(h, endpoint) != 0 { throw WireError.fromZMQ("connect \(type) to \(endpoint)") }
    }

    public func disconnect(_ endpoint: String) throws(WireError) {
        let h = try liveHandle("disconnect")
        if zmq_disconnect(h, endpoint) != 0 { throw WireError.fromZMQ("disconnect \(type) from \(endpoint)") }
    }

    /// The endpoint last bound, with the real port when bound to port 0
    /// ("tcp://0.0.0.0:41234"). The cluster launcher binds port 0 and advertises this.
    public var lastEndpoint: String {
        get throws(WireError) { try stringOption(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT") }
    }

    /// Closes the socket. Unsent messages are dropped unless `linger` is given: a process
    /// that is shutting down must not wait for a peer that may be dead.
    public func close(linger: Duration = .zero) {
        guard let h = handle else { return }
        handle = nil
        var ms = Int32(clamping: linger.components.seconds * 1000
                       + linger.components.attoseconds / 1_000_000_000_000_000)
        zmq_setsockopt(h, ZMQ_LINGER, &ms, MemoryLayout<Int32>.size)
        zmq_close(h)
        context.socketClosed()
    }

    deinit { close() }
}

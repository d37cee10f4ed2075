import CZeroMQ

/// Waits until any of a set of sockets (or plain file descriptors) is readable.
///
/// `zmq_poll` with a timeout, never a busy loop and never a global concurrent queue: the
/// thread that owns the sockets polls them, and the timeout bounds how long shutdown or
/// timers can be delayed. The poller keeps its sockets alive (strong references) so a
/// poll item can never point at a closed handle.
public final class Poller {
    private var sockets: [WireSocket?] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Watches `socket` for input; returns its index for `isReadable(_:)`.
    @discardableResult
    public func add(_ socket: WireSocket) throws(WireError) -> Int {
        let h = try socket.liveHandle("poll")
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: h, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Watches a file descriptor (e.g. an eventfd used for wake-ups).
    @discardableResult
    public func add(fileDescriptor fd: Int32) -> Int {
        sockets.append(nil)
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Stops watching everything.
    public func removeAll() {
        sockets.removeAll()
        items.removeAll()
    }

    public var count: Int { items.count }

    /// Polls; returns how many items are readable (0 on timeout or EINTR).
    /// - Parameter timeout: nil waits forever.
    @discardableResult
    public func poll(timeout: Duration?) throws(WireError) -> Int {
        for i in items.indices { items[i].revents = 0 }
        let ms: Int = timeout.map { t in
            let c = t.components
            return max(0, Int(c.seconds) * 1000 + Int((c.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
        } ?? -1
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), ms) }
        if rc < 0 {
            if swiftps_zmq_errno() == swiftps_zmq_eintr() { return 0 }
            throw WireError.fromZMQ("zmq_poll")
        }
        return Int(rc)
    }

    /// Whether item `index` was readable at the last poll.
    public func isReadable(_ index: Int) -> Bool {
        guard index >= 0 && index < items.count else { return false }
        return items[index].revents & Int16(ZMQ_POLLIN) != 0
    }

    /// Indices readable at the last poll.
    public var readable: [Int] { items.indices.filter { isReadable($0) } }
}

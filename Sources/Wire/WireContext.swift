import CZeroMQ
import Foundation
import Logging

/// One ZeroMQ context per process (or per independent component).
///
/// Why a class with an explicit `close()`: `zmq_ctx_term` blocks while any socket of the
/// context is open or holds unsent messages, which is the classic hang of ZeroMQ wrappers.
/// Wire sockets default to LINGER 0 and close with LINGER 0, the context is created with
/// ZMQ_BLOCKY off, and `close()` first calls `zmq_ctx_shutdown` so that other threads
/// blocked in a receive wake with `.contextTerminated` and close their sockets. `close()`
/// then waits (at most `closeTimeout`) for every socket to be closed and terminates; it
/// never hangs: if an owner fails to close its socket in time, `close()` logs and returns,
/// and the context is terminated when that last socket is finally closed.
public final class WireContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let state = Locked(State())
    private let logger = Logger(label: "swiftps.wire.context")

    private struct State {
        var openSockets = 0
        var closed = false
        var terminated = false
    }

    /// How long `close()` waits for sockets owned by other threads to be closed.
    public var closeTimeout: Duration = .seconds(1)

    /// - Parameter ioThreads: ZeroMQ I/O threads; 1 is right up to ~1 GB/s per process and
    ///   keeps a 2-core host from being oversubscribed.
    public init(ioThreads: Int = 1) throws(WireError) {
        guard let ctx = zmq_ctx_new() else { throw WireError.fromZMQ("zmq_ctx_new") }
        handle = ctx
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, Int32(clamping: max(1, ioThreads)))
        // BLOCKY off: sockets created here default to LINGER 0, so a forgotten socket
        // cannot make zmq_ctx_term wait for a dead peer.
        zmq_ctx_set(ctx, ZMQ_BLOCKY, 0)
    }

    /// Sockets of this context that are open right now.
    public var openSocketCount: Int { state.withLock { $0.openSockets } }

    /// True once `close()` has been called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    func socketOpened() throws(WireError) {
        let ok = state.withLock { s -> Bool in
            if s.closed { return false }
            s.openSockets += 1
            return true
        }
        if !ok { throw WireError(.contextTerminated, "cannot open a socket: the context is closed") }
        WireSocket.globalOpenCount.withLock { $0 += 1 }
    }

    func socketClosed() {
        let terminateNow = state.withLock { s -> Bool in
            s.openSockets -= 1
            return s.closed && !s.terminated && s.openSockets == 0
        }
        WireSocket.globalOpenCount.withLock { $0 -= 1 }
        // An abandoned context (see close()) is terminated when its last socket closes.
        if terminateNow { terminate() }
    }

    /// zmq_ctx_term exactly once, only when no socket is open (so it cannot block on one).
    private func terminate() {
        let first = state.withLock { s -> Bool in
            defer { s.terminated = true }
            return !s.terminated
        }
        guard first else { return }
        while zmq_ctx_term(handle) != 0 {
            if swiftps_zmq_errno() != swiftps_zmq_eintr() { break }
        }
    }

    /// Shuts the context down and terminates it. Idempotent. See the type's comment.
    public func close() {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        guard first else { return }
        zmq_ctx_shutdown(handle)
        let deadline = ContinuousClock.now + closeTimeout
        while openSocketCount > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.001)
        }
        let left = openSocketCount
        if left > 0 {
            logger.error("ZeroMQ context not terminated yet: \(left) socket(s) still open after \(closeTimeout); it terminates when their owners close them")
            return
        }
        terminate()
    }

    deinit {
        // Every socket holds a strong reference to its context, so none is open here.
        close()
    }
}

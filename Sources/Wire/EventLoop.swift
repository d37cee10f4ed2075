import CZeroMQ
import Foundation
import Logging

/// Identifies a socket owned by an event loop, from any thread. Sockets themselves never
/// leave the loop's thread (ZeroMQ sockets are not thread-safe); tokens do.
public struct SocketToken: Sendable, Hashable {
    let id: Int
}

/// One thread that owns a set of sockets and `zmq_poll`s them (the swift-nio habit:
/// one event loop owns its I/O; other threads hand it work).
///
/// Other threads call `execute` with a closure; it is queued and the loop is woken
/// through an eventfd that `zmq_poll` watches next to the sockets, so hand-off costs no
/// polling latency. `stop()` makes the loop close every socket it owns (LINGER 0) and
/// exit; after that the context can be closed without waiting for any peer.
public final class EventLoop: @unchecked Sendable {
    public let name: String
    /// Longest time `zmq_poll` waits; bounds how late timers fire.
    public let pollInterval: Duration
    private let wakeFD: Int32
    private let shared = Locked(Shared())
    private let finished = NSCondition()
    private var done = false
    /// The thread running the loop, to recognise `stop()` called from a handler. Not the
    /// `Thread` object: that retains its closure, which retains the loop (a cycle).
    private let loopThreadID = Locked<pthread_t?>(nil)
    private let startedThread = Locked(false)
    let logger: Logger

    private struct Shared {
        var work: [@Sendable (LoopHandle) -> Void] = []
        var stopRequested = false
        var running = false
        var ended = false
    }

    public init(name: String = "wire-loop", pollInterval: Duration = .milliseconds(100)) throws(WireError) {
        let fd = swiftps_eventfd_nonblocking()
        guard fd >= 0 else { throw WireError(.zmq, "eventfd failed (errno \(errno))") }
        self.wakeFD = fd
        self.name = name
        self.pollInterval = pollInterval
        self.logger = Logger(label: "swiftps.wire.loop.\(name)")
    }

    deinit { Foundation.close(wakeFD) }

    /// True between the start of `run` and its return.
    public var isRunning: Bool { shared.withLock { $0.running } }

    /// Starts the loop on a new thread. `setup` runs first, on that thread: create and
    /// `watch` the loop's sockets there so they are born on the thread that owns them.
    public func start(_ setup: @escaping @Sendable (LoopHandle) throws -> Void) {
        startedThread.withLock { $0 = true }
        let t = Thread { [self] in
            do {
                try self.run(setup)
            } catch {
                self.logger.error("event loop \(self.name) stopped: \(error)")
            }
        }
        t.name = name
        t.start()
    }

    /// Runs the loop on the calling thread until stopped (a server's main thread, say).
    public func run(_ setup: (LoopHandle) throws -> Void) throws {
        let started = shared.withLock { s -> Bool in
            if s.running || s.ended { return false }
            s.running = true
            return true
        }
        guard started else { throw WireError(.invalidArgument, "event loop \(name) was already run") }
        loopThreadID.withLock { $0 = pthread_self() }
        let handle = LoopHandle(loop: self)
        defer {
            handle.closeAll()
            let leftover = shared.withLock { s -> Int in
                s.running = false
                s.ended = true
                defer { s.work.removeAll() }
                return s.work.count
            }
            if leftover > 0 { logger.debug("event loop \(name) dropped \(leftover) queued work item(s) at stop") }
            finished.lock()
            done = true
            finished.broadcast()
            finished.unlock()
        }
        do {
            try setup(handle)
        } catch {
            logger.error("event loop \(name) setup failed: \(error)")
            throw error
        }
        try loop(handle)
    }

    /// Queues `work` to run on the loop thread (with access to its sockets) and wakes the
    /// loop. Returns false if the loop has already stopped (the work is dropped).
    @discardableResult
    public func execute(_ work: @escaping @Sendable (LoopHandle) -> Void) -> Bool {
        let accepted = shared.withLock { s -> Bool in
            if s.ended || s.stopRequested { return false }
            s.work.append(work)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    /// Asks the loop to stop and, unless called from the loop thread itself, waits until
    /// it has closed its sockets (at most `timeout`). Returns true when the loop ended.
    @discardableResult
    public func stop(timeout: Duration = .seconds(2)) -> Bool {
        shared.withLock { $0.stopRequested = true }
        wake()
        if let id = loopThreadID.withLock({ $0 }), pthread_equal(id, pthread_self()) != 0 { return false }
        let neverStarted = shared.withLock { !$0.running && !$0.ended }
        if neverStarted && !startedThread.withLock({ $0 }) { return true }
        let c = timeout.components
        let deadline = Date(timeIntervalSinceNow: Double(c.seconds) + Double(c.attoseconds) * 1e-18)
        finished.lock()
        defer { finished.unlock() }
        while !done {
            if !finished.wait(until: deadline) { return done }
        }
        return true
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Foundation.write(wakeFD, &one, 8)
    }

    private func drainWake() {
        var v: UInt64 = 0
        _ = Foundation.read(wakeFD, &v, 8)
    }

    /// Polls; false when the context was terminated (the loop must stop).
    private func pollOnce(_ poller: Poller, _ timeout: Duration) -> Bool {
        do {
            try poller.poll(timeout: timeout)
            return true
        } catch {
            if error.code == .contextTerminated {
                logger.debug("event loop \(name): context terminated, stopping")
                return false
            }
            logger.error("event loop \(name): poll failed: \(error)")
            return true
        }
    }

    /// Runs a socket's handler; false when it hit a terminated context (stop the loop).
    /// Any other error is logged and the loop goes on: one bad event must not stop a role.
    private func invoke(_ w: LoopHandle.Watched) -> Bool {
        do {
            try w.onReadable(w.socket)
            return true
        } catch {
            if let e = error as? WireError, e.code == .contextTerminated { return false }
            logger.error("event loop \(name): handler failed: \(error)")
            return true
        }
    }

    private func loop(_ handle: LoopHandle) throws {
        let poller = Poller()
        var pollerGeneration = -1
        var wakeIndex = 0
        while true {
            let (work, stop) = shared.withLock { s -> ([@Sendable (LoopHandle) -> Void], Bool) in
                defer { s.work.removeAll(keepingCapacity: true) }
                return (s.work, s.stopRequested)
            }
            for w in work { w(handle) }
            if stop || handle.stopRequested { return }
            if pollerGeneration != handle.generation {
                poller.removeAll()
                wakeIndex = poller.add(fileDescriptor: wakeFD)
                for w in handle.watched { try poller.add(w.socket) }
                pollerGeneration = handle.generation
            }
            let timeout = min(pollInterval, handle.timeUntilNextTimer() ?? pollInterval)
            if !pollOnce(poller, timeout) { return }
            if poller.isReadable(wakeIndex) { drainWake() }
            // Snapshot: handlers may watch/close sockets, which bumps the generation.
            let watched = handle.watched
            for (i, w) in watched.enumerated() where poller.isReadable(i + 1) {
                guard !w.socket.isClosed else { continue }
                if !invoke(w) { return }
            }
            handle.fireDueTimers()
        }
    }
}

/// The loop's sockets and timers, usable only on the loop thread (hence not Sendable).
public final class LoopHandle {
    struct Watched {
        let token: SocketToken
        let socket: WireSocket
        let onReadable: (WireSocket) throws -> Void
    }

    private struct Timer {
        var due: ContinuousClock.Instant
        let interval: Duration
        let body: () throws -> Void
    }

    unowned let loop: EventLoop
    private(set) var watched: [Watched] = []
    private var timers: [Timer] = []
    private var nextToken = 0
    private(set) var generation = 0
    fileprivate(set) var stopRequested = false

    init(loop: EventLoop) { self.loop = loop }

    /// Owns `socket` from now on: `onReadable` runs on the loop thread whenever input is
    /// waiting (it should drain with non-blocking receives); the loop closes the socket
    /// when it stops.
    @discardableResult
    public func watch(_ socket: WireSocket, onReadable: @escaping (WireSocket) throws -> Void) -> SocketToken {
        let t = SocketToken(id: nextToken)
        nextToken += 1
        watched.append(Watched(token: t, socket: socket, onReadable: onReadable))
        generation += 1
        return t
    }

    /// Owns `socket` and calls `onMessage` for each message that passes `policy`
    /// (rejections are counted in `socket.counters` and logged). Drains at most `batch`
    /// messages per wake-up so one busy socket cannot starve the others.
    @discardableResult
    public func watch(_ socket: WireSocket, policy: ValidationPolicy, batch: Int = 256,
                      onMessage: @escaping (InboundMessage, WireSocket) throws -> Void) -> SocketToken {
        watch(socket) { s in
            for _ in 0..<batch {
                switch try s.receiveOutcome(policy: policy, wait: false) {
                case .message(let m): try onMessage(m, s)
                case .rejected: continue
                case .nothing: return
                }
            }
        }
    }

    /// Owns `socket` without watching it for input (e.g. a PUB or an outbound DEALER).
    @discardableResult
    public func adopt(_ socket: WireSocket) -> SocketToken {
        watch(socket) { _ in }
    }

    public func socket(_ token: SocketToken) -> WireSocket? {
        watched.first { $0.token == token }?.socket
    }

    /// Closes one socket now.
    public func close(_ token: SocketToken) {
        guard let i = watched.firstIndex(where: { $0.token == token }) else { return }
        watched[i].socket.close()
        watched.remove(at: i)
        generation += 1
    }

    /// Runs `body` every `interval` on the loop thread (heartbeats, resend timers).
    public func schedule(every interval: Duration, _ body: @escaping () throws -> Void) {
        timers.append(Timer(due: .now + interval, interval: interval, body: body))
    }

    /// Stops the loop after the current iteration.
    public func stop() { stopRequested = true }

    func timeUntilNextTimer() -> Duration? {
        guard let due = timers.map(\.due).min() else { return nil }
        return max(.zero, due - .now)
    }

    func fireDueTimers() {
        let now = ContinuousClock.now
        for i in timers.indices where timers[i].due <= now {
            timers[i].due = now + timers[i].interval
            do {
                try timers[i].body()
            } catch {
                loop.logger.error("event loop \(loop.name): timer failed: \(error)")
            }
        }
    }

    func closeAll() {
        for w in watched { w.socket.close() }
        watched.removeAll()
        timers.removeAll()
        generation += 1
    }
}

import Foundation

/// A value guarded by a lock, for the few pieces of state Wire shares across threads
/// (counters, the event loop's work queue). `Synchronization.Mutex` would do, but it is
/// unavailable on the macOS 13 deployment target the package declares.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

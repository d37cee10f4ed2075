/// A heap block of floats that can be sent without copying.
///
/// Why a class: a zero-copy send hands ZeroMQ a raw pointer that its I/O thread reads
/// *after* `send` returns. The send retains the buffer (Unmanaged) and ZeroMQ's free
/// callback releases it on the I/O thread, so the memory outlives every in-flight message.
/// Invariant for callers: do not write to a buffer while a send of it may be in flight;
/// write into a fresh buffer instead, or reuse one only when
/// `isKnownUniquelyReferenced(&buffer)` says ZeroMQ has let go of it.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    /// The floats; 64-byte aligned (vector loads, and page-friendly for large sends).
    public let pointer: UnsafeMutableBufferPointer<Float>

    /// A zero-filled buffer of `count` floats (negative counts are treated as 0).
    public init(count: Int) {
        let n = max(0, count)
        self.count = n
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, n) * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: max(1, n))
        pointer = UnsafeMutableBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: n)
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        _ = pointer.initialize(from: values)
    }

    public var byteCount: Int { count * 4 }

    public var array: [Float] { Array(pointer) }

    deinit {
        // May run on a ZeroMQ I/O thread (the zero-copy free callback); deallocation is
        // thread-safe and nothing else touches the buffer by then.
        UnsafeMutableRawPointer(pointer.baseAddress)?.deallocate()
    }
}

/// The zero-copy plumbing: `zmq_msg_init_data` with a free callback that balances the
/// retain taken here.
enum ZeroCopy {
    static func initialize(_ msg: UnsafeMutablePointer<zmq_msg_t>, buffer: FloatBuffer,
                           range: Range<Int>) throws(WireError) {
        guard range.lowerBound >= 0 && range.upperBound <= buffer.count else {
            throw WireError(.invalidArgument,
                            "zero-copy slice \(range) is outside the buffer of \(buffer.count) floats")
        }
        let hint = Unmanaged.passRetained(buffer).toOpaque()
        let start = UnsafeMutableRawPointer(buffer.pointer.baseAddress.map { $0 + range.lowerBound })
        let rc = zmq_msg_init_data(msg, start, range.count * 4, { _, hint in
            // Runs on a ZeroMQ I/O thread (or the sender's thread if the send fails/closes).
            if let hint { Unmanaged<FloatBuffer>.fromOpaque(hint).release() }
        }, hint)
        if rc != 0 {
            // ZeroMQ did not take ownership, so the callback will never run.
            Unmanaged<FloatBuffer>.fromOpaque(hint).release()
            throw WireError.fromZMQ("zmq_msg_init_data(\(range.count * 4) bytes)")
        }
    }
}

import CZeroMQ

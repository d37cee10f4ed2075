/// A received message that passed validation: its header, and its data frames read in
/// place (no copy) from ZeroMQ's buffers.
///
/// Frame views are valid while this object is alive: keep it as long as you read them,
/// or copy out with `copyFloats` / `withFloats`.
public final class InboundMessage {
    public let header: Header
    /// The sender's routing identity (ROUTER sockets); pass it back to reply.
    public var identity: [UInt8]?
    /// The underlying parts (identity, header, data), for tools that need raw access.
    public let parts: Multipart
    private let firstDataPart: Int

    init(header: Header, identity: [UInt8]?, parts: Multipart, firstDataPart: Int) {
        self.header = header
        self.identity = identity
        self.parts = parts
        self.firstDataPart = firstDataPart
    }

    /// Data frames (the header's declared frames; validation made the counts equal).
    public var frameCount: Int { header.frames.count }

    /// Data frame `i`'s bytes, in place. Empty for an index out of range (never traps).
    public func frame(_ i: Int) -> UnsafeRawBufferPointer {
        guard i >= 0 && i < frameCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return parts.part(firstDataPart + i)
    }

    /// Copies float frame `frame` into `into`; copies min(frame, destination) floats and
    /// returns how many, so a size disagreement can never write out of bounds.
    @discardableResult
    public func copyFloats(frame i: Int, into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let src = frame(i)
        let n = min(src.count / 4, destination.count)
        if n > 0, let s = src.baseAddress, let d = destination.baseAddress {
            UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: n * 4)
        }
        return n
    }

    /// Copies frame `i` into raw bytes; returns the byte count copied.
    @discardableResult
    public func copy(frame i: Int, into destination: UnsafeMutableRawBufferPointer) -> Int {
        let src = frame(i)
        let n = min(src.count, destination.count)
        if n > 0, let s = src.baseAddress, let d = destination.baseAddress {
            d.copyMemory(from: s, byteCount: n)
        }
        return n
    }

    /// Calls `body` with frame `i` as floats: in place when ZeroMQ's buffer is 4-byte
    /// aligned (the common case for large frames), else through an aligned temporary copy.
    public func withFloats<R>(frame i: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let raw = frame(i)
        let n = raw.count / 4
        if let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
            return try base.withMemoryRebound(to: Float.self, capacity: n) {
                try body(UnsafeBufferPointer(start: $0, count: n))
            }
        }
        let tmp = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n))
        defer { tmp.deallocate() }
        let copied = copyFloats(frame: i, into: tmp)
        return try body(UnsafeBufferPointer(start: tmp.baseAddress, count: copied))
    }

    /// Frame `i` as a new `[Float]` (tests, small messages).
    public func floats(frame i: Int) -> [Float] {
        let n = frame(i).count / 4
        return [Float](unsafeUninitializedCapacity: n) { buf, count in
            count = copyFloats(frame: i, into: buf)
        }
    }

    /// Frame `i` as a new `[UInt8]`.
    public func bytes(frame i: Int) -> [UInt8] { Array(frame(i)) }

    /// Frame `i` as a new `[Int32]` (little-endian on the wire).
    public func int32s(frame i: Int) -> [Int32] {
        let raw = frame(i)
        return (0..<(raw.count / 4)).map {
            Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))
        }
    }
}

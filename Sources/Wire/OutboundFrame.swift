/// A data frame to send after the header. The header's frame specs (dtype + byte length)
/// are filled in from these, so what is declared is always what is sent.
public enum OutboundFrame {
    /// Bytes borrowed from the caller and copied at send (valid only during the call).
    case copy(UnsafeRawBufferPointer, dtype: DType = .f32)
    /// A float buffer sent without copying; retained until ZeroMQ has sent it.
    case zeroCopy(FloatBuffer)
    /// Floats `range` of a buffer, without copying (a worker's slice for one shard).
    case zeroCopySlice(FloatBuffer, Range<Int>)
    /// Bytes (e.g. uint8 images), copied.
    case bytes([UInt8])
    /// Floats, copied.
    case floats([Float])
    /// Int32s (e.g. labels), copied, little-endian.
    case int32s([Int32])

    public var dtype: DType {
        switch self {
        case .copy(_, let dtype): dtype
        case .zeroCopy, .zeroCopySlice, .floats: .f32
        case .bytes: .u8
        case .int32s: .i32
        }
    }

    public var byteCount: Int {
        switch self {
        case .copy(let b, _): b.count
        case .zeroCopy(let f): f.byteCount
        case .zeroCopySlice(_, let r): r.count * 4
        case .bytes(let b): b.count
        case .floats(let f): f.count * 4
        case .int32s(let i): i.count * 4
        }
    }

    /// Fills a raw `zmq_msg_t` slot with this frame (copy or zero-copy).
    func initialize(_ m: UnsafeMutablePointer<zmq_msg_t>) throws(WireError) {
        switch self {
        case .copy(let b, _): try MessageInit.copying(m, b)
        case .zeroCopy(let f): try ZeroCopy.initialize(m, buffer: f, range: 0..<f.count)
        case .zeroCopySlice(let f, let r): try ZeroCopy.initialize(m, buffer: f, range: r)
        case .bytes(let b): try Self.copied(m, b)
        case .floats(let f): try Self.copied(m, f)
        case .int32s(let i): try Self.copied(m, i.map { $0.littleEndian })
        }
    }

    private static func copied<T>(_ m: UnsafeMutablePointer<zmq_msg_t>, _ a: [T]) throws(WireError) {
        try MessageInit.sized(m, a.count * MemoryLayout<T>.stride)
        let dst = zmq_msg_data(m)
        a.withUnsafeBytes { src in
            if let s = src.baseAddress, let d = dst, src.count > 0 {
                d.copyMemory(from: s, byteCount: src.count)
            }
        }
    }
}

import CZeroMQ

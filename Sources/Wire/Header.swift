/// The sender's role in the cluster.
public enum Role: Sendable, CaseIterable, Hashable { case coordinator, server, worker }

/// What a message is. See docs/PROTOCOL.md for who sends each kind to whom and its frames.
public enum MessageKind: Sendable, CaseIterable, Hashable {
    case register, registerAck, dataChunk, push, pushAck, pull, weights, heartbeat, progress,
         evaluate, shutdown, error

    /// Kinds whose header carries a key range [keyLo, keyHi) that receivers check.
    public var carriesKeyRange: Bool {
        switch self {
        case .push, .pushAck, .pull, .weights: true
        default: false
        }
    }

    /// Kinds whose single f32 data frame must hold exactly keyHi − keyLo floats.
    public var carriesRangePayload: Bool { self == .push || self == .weights }
}

/// Element type of a data frame. Data is little-endian on the wire (every supported host
/// is little-endian, so frames are read in place).
public enum DType: Sendable, CaseIterable, Hashable {
    case f32, u8, i32

    /// Bytes per element; frame lengths must be a multiple of it.
    public var elementSize: Int {
        switch self {
        case .f32, .i32: 4
        case .u8: 1
        }
    }
}

/// Declares one data frame following the header: the receiver checks both.
public struct FrameSpec: Sendable, Equatable, Hashable {
    public var dtype: DType
    public var byteCount: Int
    public init(dtype: DType, byteCount: Int) {
        self.dtype = dtype
        self.byteCount = byteCount
    }
}

/// Frame 0 of every message, as a Swift value. The protobuf-c struct behind it never
/// leaves `Header+Codec.swift` (ps-lite's habit: metadata as a plain struct at the edge).
///
/// Fields a kind does not use stay at their defaults (0 / "" / nil) and cost nothing on
/// the wire (proto3 omits them).
public struct Header: Sendable, Equatable {
    /// The version this build speaks; receivers reject any other.
    public static let currentProtocolVersion: UInt32 = 1

    public var protocolVersion: UInt32 = Header.currentProtocolVersion
    public var jobID: UInt64
    public var role: Role
    public var rank: Int
    public var kind: MessageKind
    public var step: Int = 0
    public var keyLo: Int = 0
    public var keyHi: Int = 0
    public var version: Int = 0
    public var exampleCount: Int = 0
    public var chunkIndex: Int = 0
    public var chunkCount: Int = 0
    public var firstExample: Int = 0
    public var endpoint: String = ""
    public var publishEndpoint: String = ""
    public var text: String = ""
    public var loss: Double = 0
    public var accuracy: Double = 0
    public var examplesPerSecond: Double = 0
    /// Push only: the sender wants WEIGHTS of the pushed range as the reply (after the push
    /// is applied; in sync mode after the step's update) instead of PUSH_ACK: the trainer's
    /// push-then-pull in one round trip (ps-lite's PushPull).
    public var replyWithWeights: Bool = false
    public var job: JobSpec? = nil
    /// Declared data frames. When sending through `WireSocket.send(header:frames:)` this is
    /// overwritten from the actual frames, so it can be left empty.
    public var frames: [FrameSpec] = []

    public init(kind: MessageKind, role: Role, rank: Int, jobID: UInt64) {
        self.kind = kind
        self.role = role
        self.rank = rank
        self.jobID = jobID
    }

    /// The key range as a Swift range (empty if inverted).
    public var keyRange: Range<Int> {
        get { keyLo..<max(keyLo, keyHi) }
        set { keyLo = newValue.lowerBound; keyHi = newValue.upperBound }
    }
}

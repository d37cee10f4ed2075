/// Why a received message was rejected. Each case is counted separately so a run's final
/// report says exactly what kind of bad input arrived (DESIGN: bad input never crashes a
/// process; it is logged and counted).
public enum RejectionReason: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    /// Frame 0 is missing or is not a protobuf `Header`.
    case undecodableHeader
    /// `protocolVersion` differs from the receiver's.
    case protocolVersionMismatch
    /// `kind` is not one of the known kinds (or is UNSPECIFIED, as in an empty frame 0).
    case unknownKind
    /// The header decodes but a field is impossible: unknown role or dtype, a number that
    /// does not fit the receiver's integers, an inverted key range.
    case malformedHeader
    /// The kind is valid but this receiver does not accept it (policy.acceptedKinds).
    case unexpectedKind
    /// `jobID` differs from the receiver's job.
    case jobIDMismatch
    /// The number of data frames differs from the number the header declares (including
    /// messages with more parts than the receiver's cap).
    case frameCountMismatch
    /// A data frame's length differs from its declared byte length.
    case frameLengthMismatch
    /// A float32/int32 frame whose length is not a multiple of 4.
    case misalignedFrameLength
    /// The key range reaches beyond the model's parameter count.
    case keyRangeOutsideModel
    /// The key range is inside the model but not inside the receiver's owned range.
    case keyRangeNotOwned
    /// A push/weights message whose payload is not exactly one f32 frame of keyHi − keyLo floats.
    case payloadDoesNotMatchKeyRange
    /// The message is larger than the receiver's limit (policy.maxMessageBytes).
    case messageTooLarge
    /// A pushed gradient contains NaN or ±Inf.
    case nonFiniteGradient

    public var description: String { rawValue }
}

/// A rejected message: the reason (counted) and what was expected vs. what arrived (logged).
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: RejectionReason
    public let detail: String
    /// The header, when it decoded far enough to be known.
    public let header: Header?
    /// The sender's routing identity, when received on a ROUTER.
    public let identity: [UInt8]?

    public init(reason: RejectionReason, detail: String, header: Header? = nil, identity: [UInt8]? = nil) {
        self.reason = reason
        self.detail = detail
        self.header = header
        self.identity = identity
    }

    public var description: String {
        var s = "\(reason): \(detail)"
        if let h = header { s += " [kind \(h.kind), from \(h.role) \(h.rank), step \(h.step)]" }
        return s
    }
}

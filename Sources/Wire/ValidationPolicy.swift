/// What a receiver accepts. Each receiver fills in what it knows: a server its owned key
/// range and the model's parameter count, every role its job id; a worker's SUB socket
/// the model size. Fields left nil are not checked.
public struct ValidationPolicy: Sendable {
    /// The protocol version to accept (normally the current one).
    public var protocolVersion: UInt32
    /// The job this receiver belongs to; messages of other jobs are rejected. nil accepts
    /// any (e.g. a coordinator before it has one).
    public var jobID: UInt64?
    /// Model size; ranged messages must lie within [0, parameterCount).
    public var parameterCount: Int?
    /// The range this receiver serves; ranged messages must lie inside it.
    public var ownedRange: Range<Int>?
    /// Upper bound on a whole message (all parts, identity included). Enforced here even
    /// though the socket also sets ZMQ_MAXMSGSIZE per part, because a peer can split a
    /// huge payload into many parts that are each under the socket limit.
    public var maxMessageBytes: Int
    /// Most data frames one message may carry; parts beyond it are dropped on arrival.
    public var maxFrames: Int
    /// Reject pushed gradients containing NaN/±Inf (one vectorised pass over the floats).
    public var checkGradientsFinite: Bool
    /// Kinds this receiver handles; nil accepts every kind.
    public var acceptedKinds: Set<MessageKind>?

    public init(jobID: UInt64? = nil, parameterCount: Int? = nil, ownedRange: Range<Int>? = nil,
                maxMessageBytes: Int = 1 << 30, maxFrames: Int = 64,
                checkGradientsFinite: Bool = true, acceptedKinds: Set<MessageKind>? = nil,
                protocolVersion: UInt32 = Header.currentProtocolVersion) {
        self.jobID = jobID
        self.parameterCount = parameterCount
        self.ownedRange = ownedRange
        self.maxMessageBytes = maxMessageBytes
        self.maxFrames = maxFrames
        self.checkGradientsFinite = checkGradientsFinite
        self.acceptedKinds = acceptedKinds
        self.protocolVersion = protocolVersion
    }

    /// Accepts any well-formed message of the current protocol version.
    public static let permissive = ValidationPolicy()
}

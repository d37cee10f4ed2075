#if canImport(Glibc)
import Glibc
#endif
import Wire

/// Who is speaking: stamps every outgoing header with the sender's role, rank and job id.
struct RoleIdentity {
    let role: Role
    var rank: Int
    var jobID: UInt64

    func header(_ kind: MessageKind) -> Header {
        Header(kind: kind, role: role, rank: rank, jobID: jobID)
    }

    /// A routing id unique per process run (ROUTERs address peers by it; a restarted role
    /// must not be mistaken for its previous incarnation).
    static func uniqueRoutingID(_ role: Role) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        let tag: String
        switch role {
        case .coordinator: tag = "c"
        case .server: tag = "s"
        case .worker: tag = "w"
        }
        return Array("\(tag)-\(getpid())-\(g.next() & 0xFFFF_FFFF)".utf8)
    }
}

/// Liveness bookkeeping shared by every role: a peer silent for `timeout` is dead.
struct Liveness {
    static let heartbeatInterval: UInt64 = 1_000_000_000
    /// Generous: a worker computing a large CNN step or a coordinator evaluating must not be
    /// declared dead, but a crashed peer must be noticed well within a CI test's patience.
    static let timeout: Double = 15
}

extension Float {
    /// The bytes of a float slice, for a copied data frame.
    static func frame(_ buffer: UnsafeBufferPointer<Float>) -> OutboundFrame {
        .copy(UnsafeRawBufferPointer(buffer), dtype: .f32)
    }
}

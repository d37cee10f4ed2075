/// An error a user, a file or a peer can cause in the cluster layer; its text is printed as is.
///
/// A struct over a code (STYLE.md): new codes can be added without breaking callers, and
/// tests match on `code` rather than on message text.
public struct ClusterError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case badArgument
        case dataMismatch
        case peerFailed
        case protocolViolation
        case timeout
        case io
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}

import CZeroMQ

/// An error from the transport layer.
///
/// A struct over a private enum (the swift-nio habit) so new cases can be added without
/// breaking callers that switch on them; compare `code` against the static members.
/// Malformed *input from the network* is never a `WireError`: that is a `Rejection`,
/// counted and logged, and the process goes on.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case zmq, contextTerminated, socketClosed, invalidArgument, encodingFailed, hostUnreachable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A libzmq call failed; `WireError.errno` holds zmq_errno().
        public static let zmq = Code(.zmq)
        /// The context was shut down (ETERM): the owner should close its sockets and stop.
        public static let contextTerminated = Code(.contextTerminated)
        /// The socket was already closed by this process.
        public static let socketClosed = Code(.socketClosed)
        /// The caller passed a value the protocol cannot carry (negative count, bad slice…).
        public static let invalidArgument = Code(.invalidArgument)
        /// protobuf-c could not encode the header.
        public static let encodingFailed = Code(.encodingFailed)
        /// A ROUTER with ROUTER_MANDATORY was asked to send to an identity it does not know.
        public static let hostUnreachable = Code(.hostUnreachable)

        public var description: String {
            switch base {
            case .zmq: "zmq"
            case .contextTerminated: "contextTerminated"
            case .socketClosed: "socketClosed"
            case .invalidArgument: "invalidArgument"
            case .encodingFailed: "encodingFailed"
            case .hostUnreachable: "hostUnreachable"
            }
        }
    }

    public let code: Code
    /// zmq_errno() for libzmq failures, nil otherwise.
    public let errno: Int32?
    /// What was being done, what was expected and what happened.
    public let detail: String

    public init(_ code: Code, _ detail: String, errno: Int32? = nil) {
        self.code = code
        self.detail = detail
        self.errno = errno
    }

    public var description: String {
        if let errno { return "WireError.\(code) (errno \(errno)): \(detail)" }
        return "WireError.\(code): \(detail)"
    }

    /// Builds the error for a failed libzmq call from zmq_errno(), mapping ETERM and
    /// EHOSTUNREACH to their own codes because callers react to those differently.
    static func fromZMQ(_ what: String) -> WireError {
        let e = swiftps_zmq_errno()
        let text = String(cString: zmq_strerror(e))
        if e == swiftps_zmq_eterm() {
            return WireError(.contextTerminated, "\(what): context terminated", errno: e)
        }
        if e == swiftps_zmq_ehostunreach() {
            return WireError(.hostUnreachable, "\(what): \(text)", errno: e)
        }
        return WireError(.zmq, "\(what): \(text)", errno: e)
    }
}

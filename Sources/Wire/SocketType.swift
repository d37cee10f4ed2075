import CZeroMQ

/// The ZeroMQ socket patterns Wire uses (ROUTER/DEALER for request traffic, PUB/SUB for
/// weight broadcast, PUSH/PULL and REQ/REP for benchmarks and simple pipelines, PAIR for
/// in-process hand-off).
public enum SocketType: Sendable, CaseIterable {
    case router, dealer, pub, sub, push, pull, pair, req, rep

    var zmqValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        }
    }

    /// A ROUTER prefixes every received message with the sender's routing identity and
    /// needs one in front of every sent message.
    public var carriesIdentity: Bool { self == .router }
}

import Foundation
import Wire
import XCTest

/// A ROUTER bound to an ephemeral TCP port and a DEALER connected to it, in one context.
/// Receives block for at most 2 s so a broken test fails instead of hanging.
final class RouterDealerPair {
    let context: WireContext
    let router: WireSocket
    let dealer: WireSocket
    let endpoint: String

    init(transport: String = "tcp") throws {
        context = try WireContext()
        router = try WireSocket(context, .router)
        dealer = try WireSocket(context, .dealer)
        try router.set([.receiveTimeout(milliseconds: 2000), .routerMandatory(true)])
        try dealer.set([.receiveTimeout(milliseconds: 2000), .routingID(Array("worker-0".utf8))])
        if transport == "inproc" {
            endpoint = "inproc://pair-\(UUID().uuidString)"
            try router.bind(endpoint)
        } else {
            try router.bind("tcp://127.0.0.1:0")
            endpoint = try router.lastEndpoint
        }
        try dealer.connect(endpoint)
    }

    func close() {
        dealer.close()
        router.close()
        context.close()
    }
}

/// SplitMix64: a seeded generator so the fuzz test replays exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Raw little-endian bytes of floats.
func bytes(of floats: [Float]) -> [UInt8] {
    floats.withUnsafeBytes { Array($0) }
}

/// Appends a varint field to an encoded header: protobuf keeps the last value of a
/// repeated scalar field, so this overrides the field with a value the Swift types could
/// never produce (an unknown kind or role).
func overriding(_ header: [UInt8], field: UInt8, varint value: UInt8) -> [UInt8] {
    header + [field << 3, value]
}

/// Open file descriptors of this process.
func openFileDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

import Wire
import XCTest

/// Each rejection reason, caused by a real malformed message sent over a real socket and
/// received by a ROUTER: the message is rejected with that reason, counted, and the
/// receiver goes on (a valid message after it is still accepted).
final class RejectionTests: XCTestCase {
    static let job: UInt64 = 77
    static let policy = ValidationPolicy(jobID: job, parameterCount: 1000, ownedRange: 0..<500,
                                         maxMessageBytes: 64 * 1024)

    static func header(_ kind: MessageKind, _ range: Range<Int> = 0..<0,
                       frames: [FrameSpec] = []) -> Header {
        var h = Header(kind: kind, role: .worker, rank: 0, jobID: job)
        h.keyRange = range
        h.frames = frames
        return h
    }

    static func f32(_ n: Int) -> FrameSpec { FrameSpec(dtype: .f32, byteCount: n * 4) }

    /// Sends raw parts, then asserts the ROUTER rejects them with `reason`, counts it, and
    /// still accepts a valid heartbeat afterwards.
    func assertRejected(_ parts: [[UInt8]], _ reason: RejectionReason,
                        policy: ValidationPolicy = RejectionTests.policy,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        try pair.dealer.sendRaw(parts.map { .bytes($0) })
        switch try pair.router.receiveOutcome(policy: policy, wait: true) {
        case .rejected(let r):
            XCTAssertEqual(r.reason, reason, r.detail, file: file, line: line)
            XCTAssertEqual(r.identity, Array("worker-0".utf8), file: file, line: line)
        case .message(let m):
            XCTFail("accepted \(m.header.kind), expected rejection \(reason)", file: file, line: line)
        case .nothing:
            XCTFail("nothing arrived", file: file, line: line)
        }
        XCTAssertEqual(pair.router.counters.count(reason), 1, file: file, line: line)
        XCTAssertEqual(pair.router.counters.total, 1, file: file, line: line)
        try pair.dealer.send(header: Self.header(.heartbeat))
        XCTAssertNotNil(try pair.router.receive(policy: policy, wait: true), "receiver goes on", file: file, line: line)
        XCTAssertEqual(pair.router.counters.accepted, 1, file: file, line: line)
    }

    func testGarbageHeaderIsRejectedAsUndecodableAndCounted() throws {
        try assertRejected([[0xFF, 0xFF, 0xFF, 0xFF]], .undecodableHeader)
    }

    func testHeaderFromAnotherProtocolVersionIsRejectedAndCounted() throws {
        var h = Self.header(.heartbeat)
        h.protocolVersion = 2
        try assertRejected([try h.encoded()], .protocolVersionMismatch)
    }

    func testEmptyHeaderFrameIsRejectedAsVersionMismatchAndCounted() throws {
        // An empty protobuf decodes to all defaults: version 0.
        try assertRejected([[]], .protocolVersionMismatch)
    }

    func testUnknownKindIsRejectedAndCounted() throws {
        try assertRejected([overriding(try Self.header(.heartbeat).encoded(), field: 5, varint: 99)], .unknownKind)
    }

    func testUnknownRoleIsRejectedAsMalformedAndCounted() throws {
        try assertRejected([overriding(try Self.header(.heartbeat).encoded(), field: 3, varint: 42)], .malformedHeader)
    }

    func testKindTheReceiverDoesNotHandleIsRejectedAndCounted() throws {
        var p = Self.policy
        p.acceptedKinds = [.push, .pull, .heartbeat]
        try assertRejected([try Self.header(.registerAck).encoded()], .unexpectedKind, policy: p)
    }

    func testMessageOfAnotherJobIsRejectedAndCounted() throws {
        var h = Self.header(.heartbeat)
        h.jobID = 78
        try assertRejected([try h.encoded()], .jobIDMismatch)
    }

    func testMoreFramesThanDeclaredAreRejectedAndCounted() throws {
        let h = Self.header(.push, 0..<4, frames: [Self.f32(4)])
        try assertRejected([try h.encoded(), bytes(of: [1, 2, 3, 4]), [1, 2, 3]], .frameCountMismatch)
    }

    func testFewerFramesThanDeclaredAreRejectedAndCounted() throws {
        let h = Self.header(.push, 0..<4, frames: [Self.f32(4)])
        try assertRejected([try h.encoded()], .frameCountMismatch)
    }

    func testPushWithWrongFrameLengthIsRejectedAndCounted() throws {
        let h = Self.header(.push, 0..<4, frames: [Self.f32(4)])
        try assertRejected([try h.encoded(), bytes(of: [1, 2, 3])], .frameLengthMismatch)
    }

    func testHugeDeclaredFrameLengthIsRejectedAndCounted() throws {
        let h = Self.header(.dataChunk, frames: [FrameSpec(dtype: .u8, byteCount: 1 << 60)])
        try assertRejected([try h.encoded(), [1, 2, 3]], .frameLengthMismatch)
    }

    func testFloatFrameNotAMultipleOfFourBytesIsRejectedAndCounted() throws {
        let h = Self.header(.dataChunk, frames: [FrameSpec(dtype: .f32, byteCount: 6)])
        try assertRejected([try h.encoded(), [0, 0, 128, 63, 0, 0]], .misalignedFrameLength)
    }

    func testKeyRangeBeyondTheModelIsRejectedAndCounted() throws {
        var p = Self.policy
        p.ownedRange = nil
        try assertRejected([try Self.header(.pull, 900..<1001).encoded()], .keyRangeOutsideModel, policy: p)
    }

    func testKeyRangeOfAnotherShardIsRejectedAndCounted() throws {
        try assertRejected([try Self.header(.pull, 400..<600).encoded()], .keyRangeNotOwned)
    }

    func testInvertedKeyRangeIsRejectedAsMalformedAndCounted() throws {
        var h = Self.header(.pull)
        h.keyLo = 10
        h.keyHi = 5
        try assertRejected([try h.encoded()], .malformedHeader)
    }

    func testPushWhosePayloadDoesNotCoverItsKeyRangeIsRejectedAndCounted() throws {
        let h = Self.header(.push, 0..<10, frames: [Self.f32(8)])
        try assertRejected([try h.encoded(), bytes(of: [Float](repeating: 1, count: 8))], .payloadDoesNotMatchKeyRange)
    }

    func testMessageOverTheReceiversSizeLimitIsRejectedAndCounted() throws {
        let n = 20_000   // 80 KB > 64 KiB limit
        let h = Self.header(.push, 0..<n, frames: [Self.f32(n)])
        var p = Self.policy
        p.parameterCount = nil
        p.ownedRange = nil
        try assertRejected([try h.encoded(), bytes(of: [Float](repeating: 1, count: n))], .messageTooLarge, policy: p)
    }

    func testPushWithNaNGradientIsRejectedAndCounted() throws {
        var g = [Float](repeating: 0.5, count: 300)
        g[257] = .nan
        let h = Self.header(.push, 0..<300, frames: [Self.f32(300)])
        try assertRejected([try h.encoded(), bytes(of: g)], .nonFiniteGradient)
    }

    func testPushWithInfiniteGradientIsRejectedAndCounted() throws {
        var g = [Float](repeating: 0.5, count: 3000)
        g[2999] = -.infinity
        let h = Self.header(.push, 0..<3000, frames: [Self.f32(3000)])
        var p = Self.policy
        p.ownedRange = nil
        p.parameterCount = nil
        try assertRejected([try h.encoded(), bytes(of: g)], .nonFiniteGradient, policy: p)
    }

    func testTooManyPartsAreDroppedOnArrivalAndRejected() throws {
        let h = Self.header(.heartbeat)
        try assertRejected([try h.encoded()] + Array(repeating: [], count: 500), .frameCountMismatch)
    }

    func testEveryRejectionReasonHasATestThatCausesIt() {
        // The tests above cover every case; this guards against a new reason without one.
        let covered: Set<RejectionReason> = [
            .undecodableHeader, .protocolVersionMismatch, .unknownKind, .malformedHeader,
            .unexpectedKind, .jobIDMismatch, .frameCountMismatch, .frameLengthMismatch,
            .misalignedFrameLength, .keyRangeOutsideModel, .keyRangeNotOwned,
            .payloadDoesNotMatchKeyRange, .messageTooLarge, .nonFiniteGradient,
        ]
        XCTAssertEqual(covered, Set(RejectionReason.allCases))
    }

    func testFiniteGradientsOfEveryLengthAndAlignmentAreAccepted() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        var p = Self.policy
        p.ownedRange = nil
        p.parameterCount = nil
        for n in [0, 1, 3, 4, 5, 1023, 1024, 1025, 4097] {
            let g = (0..<n).map { Float($0) * (-1e30) }   // large but finite
            try pair.dealer.send(header: Self.header(.push, 0..<n), frames: [.floats(g)])
            let m = try XCTUnwrap(pair.router.receive(policy: p, wait: true), "n = \(n)")
            XCTAssertEqual(m.floats(frame: 0), g)
        }
    }

    func testRejectionLoggingIsRateLimitedButCountingIsNot() {
        let counters = RejectionCounters(logInterval: .seconds(60))
        for _ in 0..<1000 { counters.record(Rejection(reason: .jobIDMismatch, detail: "x")) }
        counters.record(Rejection(reason: .unknownKind, detail: "y"))
        XCTAssertEqual(counters.count(.jobIDMismatch), 1000)
        XCTAssertEqual(counters.count(.unknownKind), 1)
        XCTAssertEqual(counters.total, 1001)
        XCTAssertTrue(counters.summary.contains("jobIDMismatch 1000"), counters.summary)
    }
}

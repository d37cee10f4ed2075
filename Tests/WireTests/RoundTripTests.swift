import Wire
import XCTest

final class RoundTripTests: XCTestCase {
    static let jobID: UInt64 = 0xC0FFEE

    static let fullJob = JobSpec(
        rank: 3, modelSpec: "conv(32,3) relu maxpool(2) dense(10)", inputShape: [28, 28, 1],
        classCount: 10, optimizer: "adam", learningRate: 0.001, momentum: 0.9, beta1: 0.9,
        beta2: 0.999, epsilon: 1e-8, weightDecay: 5e-4, globalBatch: 256, seed: 42,
        workers: 4, servers: 2, epochs: 3, totalSteps: 702, stepsPerEpoch: 234, mode: "ssp",
        staleness: 2, parameterCount: 1000, blasThreads: 1,
        shards: [ShardInfo(rank: 0, keyLo: 0, keyHi: 500, routerEndpoint: "tcp://10.0.0.2:5556",
                           publishEndpoint: "tcp://10.0.0.2:5557"),
                 ShardInfo(rank: 1, keyLo: 500, keyHi: 1000, routerEndpoint: "tcp://10.0.0.3:5556",
                           publishEndpoint: "tcp://10.0.0.3:5557")],
        shardExampleCount: 15000, trainExampleCount: 60000)

    /// A representative header and frames for each kind, every field of the kind set.
    static func sample(_ kind: MessageKind) -> (Header, [OutboundFrame]) {
        var h = Header(kind: kind, role: .worker, rank: 1, jobID: jobID)
        var frames: [OutboundFrame] = []
        switch kind {
        case .register:
            h.role = .server
            h.endpoint = "tcp://10.0.0.2:5556"
            h.publishEndpoint = "tcp://10.0.0.2:5557"
        case .registerAck:
            h.role = .coordinator
            h.job = fullJob
        case .dataChunk:
            h.role = .coordinator
            h.chunkIndex = 2; h.chunkCount = 7; h.firstExample = 2048
            frames = [.bytes((0..<784).map { UInt8($0 % 256) }), .int32s([3, 1, 4, 1, 5, 9])]
        case .push:
            h.step = 17; h.keyLo = 100; h.keyHi = 108; h.exampleCount = 32; h.replyWithWeights = true
            frames = [.zeroCopy(FloatBuffer([1.5, -2, 0, 3.25, -0.0, 1e-30, 7, 8]))]
        case .pushAck:
            h.role = .server; h.step = 17; h.keyLo = 100; h.keyHi = 108; h.version = 18
        case .pull:
            h.keyLo = 0; h.keyHi = 500; h.version = 17
        case .weights:
            h.role = .server; h.keyLo = 500; h.keyHi = 504; h.version = 99
            frames = [.floats([0.25, 0.5, 0.75, 1])]
        case .heartbeat:
            h.step = 5
        case .progress:
            h.step = 200; h.loss = 0.1234567890123; h.accuracy = 0.98765; h.examplesPerSecond = 12345.678
        case .evaluate:
            h.role = .coordinator; h.step = 234; h.loss = 0.05; h.accuracy = 0.991
        case .shutdown:
            h.role = .coordinator; h.text = "training finished — ✓"
        case .error:
            h.role = .server; h.text = "push for unknown step"
        }
        return (h, frames)
    }

    func testEveryMessageKindRoundTripsByteExactFromDealerToRouterAndBack() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        for kind in MessageKind.allCases {
            let (header, frames) = Self.sample(kind)
            let sentBytes = frames.map { Self.payload(of: $0) }
            XCTAssertTrue(try pair.dealer.send(header: header, frames: frames))
            let got = try XCTUnwrap(pair.router.receive(policy: .permissive, wait: true), "\(kind)")
            var expected = header
            expected.frames = frames.map { FrameSpec(dtype: $0.dtype, byteCount: $0.byteCount) }
            XCTAssertEqual(got.header, expected, "\(kind)")
            XCTAssertEqual(got.identity, Array("worker-0".utf8))
            XCTAssertEqual(got.frameCount, frames.count)
            for i in 0..<got.frameCount { XCTAssertEqual(got.bytes(frame: i), sentBytes[i], "\(kind) frame \(i)") }

            // And back: the ROUTER replies to the identity it received.
            XCTAssertTrue(try pair.router.send(header: header, frames: frames, to: got.identity))
            let back = try XCTUnwrap(pair.dealer.receive(policy: .permissive, wait: true), "\(kind) reply")
            XCTAssertEqual(back.header, expected)
            XCTAssertNil(back.identity)
            for i in 0..<back.frameCount { XCTAssertEqual(back.bytes(frame: i), sentBytes[i]) }
        }
        XCTAssertEqual(pair.router.counters.accepted, MessageKind.allCases.count)
        XCTAssertEqual(pair.router.counters.total, 0)
    }

    func testRoundTripOverInprocDeliversTheSameHeader() throws {
        let pair = try RouterDealerPair(transport: "inproc")
        defer { pair.close() }
        let (header, frames) = Self.sample(.push)
        try pair.dealer.send(header: header, frames: frames)
        let got = try XCTUnwrap(pair.router.receive(policy: .permissive, wait: true))
        XCTAssertEqual(got.header.step, 17)
        XCTAssertEqual(got.floats(frame: 0), [1.5, -2, 0, 3.25, -0.0, 1e-30, 7, 8])
    }

    func testHeaderEncodingIsStableAndDecodesToTheSameValue() throws {
        for kind in MessageKind.allCases {
            var (header, frames) = Self.sample(kind)
            header.frames = frames.map { FrameSpec(dtype: $0.dtype, byteCount: $0.byteCount) }
            let bytes = try header.encoded()
            XCTAssertEqual(try header.encoded(), bytes, "deterministic")
            XCTAssertEqual(Header.decode(bytes), header, "\(kind)")
        }
    }

    func testZeroCopySliceSendsOnlyTheSliceAndCopyFloatsFillsTheCallersBuffer() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        let gradient = FloatBuffer((0..<1000).map { Float($0) })
        var h = Header(kind: .push, role: .worker, rank: 0, jobID: 1)
        h.keyRange = 250..<750
        try pair.dealer.send(header: h, frames: [.zeroCopySlice(gradient, 250..<750)])
        let got = try XCTUnwrap(pair.router.receive(policy: ValidationPolicy(jobID: 1, parameterCount: 1000,
                                                                             ownedRange: 0..<1000), wait: true))
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: 500)
        defer { out.deallocate() }
        XCTAssertEqual(got.copyFloats(frame: 0, into: out), 500)
        XCTAssertEqual(Array(out), (250..<750).map { Float($0) })
        let sum = got.withFloats(frame: 0) { $0.reduce(0, +) }
        XCTAssertEqual(sum, (250..<750).reduce(Float(0)) { $0 + Float($1) })
    }

    func testZeroCopyBufferIsReleasedOnceZeroMQHasSentIt() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        weak var weakBuffer: FloatBuffer?
        try {
            let buffer = FloatBuffer(count: 1 << 18)   // 1 MiB: a real zero-copy message
            weakBuffer = buffer
            var h = Header(kind: .weights, role: .server, rank: 0, jobID: 1)
            h.keyRange = 0..<buffer.count
            try pair.dealer.send(header: h, frames: [.zeroCopy(buffer)])
        }()
        _ = try XCTUnwrap(pair.router.receive(policy: .permissive, wait: true))
        let deadline = ContinuousClock.now + .seconds(2)
        while weakBuffer != nil && ContinuousClock.now < deadline { usleep(1000) }
        XCTAssertNil(weakBuffer, "the free callback must release the retained buffer exactly once")
    }

    func testSendingWithoutIdentityOnARouterIsAnInvalidArgument() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        let h = Header(kind: .heartbeat, role: .server, rank: 0, jobID: 1)
        XCTAssertThrowsError(try pair.router.send(header: h)) { error in
            XCTAssertEqual((error as? WireError)?.code, .invalidArgument)
        }
        XCTAssertThrowsError(try pair.router.send(header: h, to: Array("nobody".utf8))) { error in
            XCTAssertEqual((error as? WireError)?.code, .hostUnreachable)
        }
    }

    func testLastEndpointReportsTheEphemeralPortChosenByTheKernel() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        XCTAssertTrue(pair.endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = Int(pair.endpoint.split(separator: ":").last ?? "") ?? 0
        XCTAssertGreaterThan(port, 0)
    }

    static func payload(of frame: OutboundFrame) -> [UInt8] {
        switch frame {
        case .bytes(let b): b
        case .floats(let f): bytes(of: f)
        case .int32s(let i): i.withUnsafeBytes { Array($0) }
        case .zeroCopy(let f): Array(UnsafeRawBufferPointer(f.pointer))
        case .zeroCopySlice(let f, let r): Array(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(f.pointer)[(r.lowerBound * 4)..<(r.upperBound * 4)]))
        case .copy(let b, _): Array(b)
        }
    }
}

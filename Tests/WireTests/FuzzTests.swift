import Foundation
import Wire
import XCTest

/// 10,000 random and mutated multipart messages thrown at a ROUTER served by the Wire
/// event loop. Claims: the receiver never crashes or stops, and every message is counted
/// exactly once, as accepted or as rejected for a reason.
final class FuzzTests: XCTestCase {
    static let job: UInt64 = 5
    static let model = 4096

    func testTenThousandRandomAndMutatedMessagesAreAllCountedAndTheReceiverSurvives() throws {
        let context = try WireContext()
        defer { context.close() }
        let counters = RejectionCounters()
        let policy = ValidationPolicy(jobID: Self.job, parameterCount: Self.model, ownedRange: 0..<Self.model,
                                      maxMessageBytes: 256 * 1024, maxFrames: 8)
        let loop = try EventLoop(name: "fuzz-router", pollInterval: .milliseconds(20))
        let endpoint = Locked<String?>(nil)
        loop.start { handle in
            let router = try WireSocket(context, .router, counters: counters)
            try router.bind("tcp://127.0.0.1:0")
            endpoint.set(try router.lastEndpoint)
            handle.watch(router, policy: policy) { _, _ in }
        }
        defer { loop.stop() }
        let ep = try XCTUnwrap(endpoint.wait(timeout: 2))

        let dealer = try WireSocket(context, .dealer)
        defer { dealer.close() }
        try dealer.connect(ep)

        var rng = SplitMix64(seed: 20_240_601)
        let total = 10_000
        var pristine = 0
        for i in 0..<total {
            let (parts, valid) = try Self.randomMessage(&rng)
            if valid { pristine += 1 }
            XCTAssertTrue(try dealer.sendRaw(parts.map { .bytes($0) }), "message \(i)")
        }

        let deadline = ContinuousClock.now + .seconds(15)
        while counters.accepted + counters.total < total && ContinuousClock.now < deadline {
            usleep(2000)
        }
        XCTAssertEqual(counters.accepted + counters.total, total, counters.summary)
        XCTAssertGreaterThanOrEqual(counters.accepted, pristine, "every untouched valid message is accepted")
        XCTAssertGreaterThan(counters.total, total / 2, counters.summary)
        XCTAssertTrue(loop.isRunning, "the receiver is still alive")
        print("fuzz: \(counters.summary)")
        // Still serving: one more valid message round-trips through the counts.
        try dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: Self.job))
        let deadline2 = ContinuousClock.now + .seconds(2)
        while counters.accepted + counters.total < total + 1 && ContinuousClock.now < deadline2 { usleep(1000) }
        XCTAssertEqual(counters.accepted + counters.total, total + 1)
    }

    /// One message: (parts, is it an untouched valid message?).
    static func randomMessage(_ rng: inout SplitMix64) throws -> ([[UInt8]], Bool) {
        let (validParts, _) = try validMessage(&rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1:
            return (validParts, true)
        case 2:  // truncated header
            var p = validParts
            p[0] = Array(p[0].prefix(Int.random(in: 0..<max(1, p[0].count), using: &rng)))
            return (p, false)
        case 3:  // random bytes, random part count
            let n = Int.random(in: 1...5, using: &rng)
            return ((0..<n).map { _ in randomBytes(&rng, Int.random(in: 0..<64, using: &rng)) }, false)
        case 4:  // header bytes mutated in place
            var p = validParts
            for _ in 0...Int.random(in: 0..<4, using: &rng) where !p[0].isEmpty {
                p[0][Int.random(in: 0..<p[0].count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            return (p, false)
        case 5:  // data frame of the wrong length
            var p = validParts
            if p.count > 1 { p[1] = Array(p[1].dropLast(Int.random(in: 1...4, using: &rng))) } else { p.append([1]) }
            return (p, false)
        case 6:  // huge declared size
            var h = Header(kind: .push, role: .worker, rank: 0, jobID: job)
            h.keyRange = 0..<4
            h.frames = [FrameSpec(dtype: .f32, byteCount: Int.random(in: (1 << 32)...(1 << 62), using: &rng))]
            return ([try h.encoded(), bytes(of: [1, 2, 3, 4])], false)
        case 7:  // empty frames
            return (Array(repeating: [], count: Int.random(in: 1...12, using: &rng)), false)
        case 8:  // extra frames
            return (validParts + Array(repeating: [9, 9, 9, 9], count: Int.random(in: 1...3, using: &rng)), false)
        default: // over the size limit, or a poisoned gradient
            if Bool.random(using: &rng) {
                return ([randomBytes(&rng, 8), randomBytes(&rng, 300 * 1024)], false)
            }
            var g = [Float](repeating: 1, count: 64)
            g[Int.random(in: 0..<64, using: &rng)] = Bool.random(using: &rng) ? .nan : .infinity
            var h = Header(kind: .push, role: .worker, rank: 0, jobID: job)
            h.keyRange = 0..<64
            h.frames = [FrameSpec(dtype: .f32, byteCount: 256)]
            return ([try h.encoded(), bytes(of: g)], false)
        }
    }

    static func validMessage(_ rng: inout SplitMix64) throws -> ([[UInt8]], MessageKind) {
        let kind = [MessageKind.push, .pull, .heartbeat, .progress, .dataChunk].randomElement(using: &rng) ?? .heartbeat
        var h = Header(kind: kind, role: .worker, rank: Int.random(in: 0..<8, using: &rng), jobID: job)
        h.step = Int.random(in: 0..<100_000, using: &rng)
        var frames: [[UInt8]] = []
        switch kind {
        case .push:
            let lo = Int.random(in: 0..<model, using: &rng)
            let hi = Int.random(in: lo...min(model, lo + 512), using: &rng)
            h.keyRange = lo..<hi
            frames = [bytes(of: (lo..<hi).map { _ in Float.random(in: -1...1, using: &rng) })]
            h.frames = [FrameSpec(dtype: .f32, byteCount: frames[0].count)]
        case .pull:
            let lo = Int.random(in: 0..<model, using: &rng)
            h.keyRange = lo..<Int.random(in: lo...model, using: &rng)
        case .dataChunk:
            frames = [randomBytes(&rng, Int.random(in: 0..<2000, using: &rng)),
                      randomBytes(&rng, 4 * Int.random(in: 0..<100, using: &rng))]
            h.frames = [FrameSpec(dtype: .u8, byteCount: frames[0].count),
                        FrameSpec(dtype: .i32, byteCount: frames[1].count)]
        default:
            h.loss = Double.random(in: 0...5, using: &rng)
        }
        return ([try h.encoded()] + frames, kind)
    }

    static func randomBytes(_ rng: inout SplitMix64, _ n: Int) -> [UInt8] {
        (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}

/// A value set once by one thread and awaited by another (test plumbing).
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func set(_ v: Value) {
        condition.lock()
        value = v
        condition.broadcast()
        condition.unlock()
    }

    var current: Value {
        condition.lock()
        defer { condition.unlock() }
        return value
    }

    func wait<T>(timeout: TimeInterval) -> T? where Value == T? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while value == nil {
            if !condition.wait(until: deadline) { break }
        }
        return value
    }
}

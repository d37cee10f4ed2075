import Cluster
import Foundation
import Wire
import XCTest

/// A real `ServerShard` (its own thread, real ZeroMQ sockets on 127.0.0.1) driven by this test
/// playing the coordinator and the workers: resent pushes are acknowledged and never applied
/// twice, in sync and in async mode.
final class ServerShardExactlyOnceTests: XCTestCase {
    final class Harness: @unchecked Sendable {
        let context: WireContext
        let coordinator: WireSocket
        let worker: WireSocket
        let jobID: UInt64 = 0xC0FFEE
        var serverIdentity: [UInt8] = []
        let done = DispatchSemaphore(value: 0)
        let policy = ValidationPolicy(checkGradientsFinite: false)

        /// Starts a shard, answers its registration with a 4-parameter job, connects a worker.
        init(mode: String, workers: Int, bind: String = "tcp://127.0.0.1:*",
             publishBind: String = "tcp://127.0.0.1:*") throws {
            context = try WireContext()
            coordinator = try WireSocket(context, .router)
            try coordinator.bind("tcp://127.0.0.1:*")
            let endpoint = try coordinator.lastEndpoint
            let finished = done
            Thread {
                let shard = ServerShard(coordinator: endpoint, bind: bind,
                                        publishBind: publishBind, advertise: "127.0.0.1")
                do { try shard.run() } catch { print("server shard failed: \(error)") }
                finished.signal()
            }.start()
            let register = try XCTUnwrap(try coordinator.receive(policy: policy, wait: true))
            XCTAssertEqual(register.header.kind, .register)
            serverIdentity = try XCTUnwrap(register.identity)
            var ack = Header(kind: .registerAck, role: .coordinator, rank: 0, jobID: jobID)
            var job = JobSpec()
            job.rank = 0
            job.optimizer = "sgd"
            job.learningRate = 0.5
            job.workers = workers
            job.servers = 1
            job.mode = mode
            job.parameterCount = 4
            job.globalBatch = 2
            job.totalSteps = 100
            job.stepsPerEpoch = 100
            ack.job = job
            ack.keyLo = 0
            ack.keyHi = 4
            try coordinator.send(header: ack, frames: [.floats([1, 1, 1, 1])], to: serverIdentity)
            worker = try WireSocket(context, .dealer)
            try worker.connect(register.header.endpoint)
        }

        /// Sends a push; `push` also waits for its ack (async pushes and every duplicate get one).
        func send(rank: Int, step: Int, gradient: Float) throws {
            var h = Header(kind: .push, role: .worker, rank: rank, jobID: jobID)
            h.step = step
            h.keyLo = 0
            h.keyHi = 4
            h.exampleCount = 1
            try worker.send(header: h, frames: [.floats([Float](repeating: gradient, count: 4))])
        }

        func push(rank: Int, step: Int, gradient: Float) throws -> Header {
            try send(rank: rank, step: step, gradient: gradient)
            return try reply(.pushAck)
        }

        func pull() throws -> (version: Int, weights: [Float]) {
            var h = Header(kind: .pull, role: .worker, rank: 0, jobID: jobID)
            h.keyLo = 0
            h.keyHi = 4
            try worker.send(header: h)
            var weights: [Float] = []
            let w = try reply(.weights) { weights = $0.floats(frame: 0) }
            return (w.version, weights)
        }

        /// The next reply of `kind` (async shards also send weights ahead of each ack).
        func reply(_ kind: MessageKind, _ body: (InboundMessage) -> Void = { _ in }) throws -> Header {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if let m = try worker.receive(policy: policy, wait: false) {
                    if m.header.kind == kind { body(m); return m.header }
                } else {
                    usleep(1000)
                }
            }
            throw XCTSkip("no \(kind) from the shard within 10 s")
        }

        func stop() throws {
            var h = Header(kind: .shutdown, role: .coordinator, rank: 0, jobID: jobID)
            h.text = "test over"
            try coordinator.send(header: h, to: serverIdentity)
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "the shard did not stop on shutdown")
            worker.close()
            coordinator.close()
            context.close()
        }
    }

    func testSyncShardAcknowledgesAResentPushButAppliesItOnce() throws {
        let h = try Harness(mode: "sync", workers: 2)
        // An accepted sync push is not acked (the next weights are the answer); a duplicate is.
        try h.send(rank: 0, step: 0, gradient: 1)
        XCTAssertEqual(try h.push(rank: 0, step: 0, gradient: 100).text, "duplicate")   // a resend
        XCTAssertEqual(try h.pull().version, 0, "one of two workers pushed: nothing applied yet")
        try h.send(rank: 1, step: 0, gradient: 3)
        // Combined (1·1 + 1·3) / 2 = 2; SGD w = 1 − 0.5 · 2 = 0. Had the resend counted: ≠ 0.
        var state = try h.pull()
        XCTAssertEqual(state.version, 1)
        XCTAssertEqual(state.weights, [0, 0, 0, 0])
        XCTAssertEqual(try h.push(rank: 1, step: 0, gradient: 3).text, "duplicate")   // after the step
        state = try h.pull()
        XCTAssertEqual(state.version, 1)
        XCTAssertEqual(state.weights, [0, 0, 0, 0])
        try h.stop()
    }

    func testPushClaimingAnImpossibleExampleCountIsRefusedAndNotApplied() throws {
        let h = try Harness(mode: "sync", workers: 1)
        var push = Header(kind: .push, role: .worker, rank: 0, jobID: h.jobID)
        push.keyLo = 0
        push.keyHi = 4
        push.exampleCount = 0
        try h.worker.send(header: push, frames: [.floats([1, 1, 1, 1])])
        XCTAssertTrue(try h.reply(.error).text.contains("claims 0 examples"))
        let state = try h.pull()
        XCTAssertEqual(state.version, 0)
        XCTAssertEqual(state.weights, [1, 1, 1, 1])
        try h.stop()
    }

    func testShardBoundToIPCAdvertisesItsIPCEndpointsAndServes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftps-ipc-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = try Harness(mode: "sync", workers: 1, bind: "ipc://\(dir.path)/router",
                            publishBind: "ipc://\(dir.path)/publish")
        try h.send(rank: 0, step: 0, gradient: 2)   // w = 1 − 0.5 · 2 = 0
        let state = try h.pull()
        XCTAssertEqual(state.version, 1)
        XCTAssertEqual(state.weights, [0, 0, 0, 0])
        try h.stop()
    }

    func testAsyncShardAppliesEachPushOnArrivalAndAResendNever() throws {
        let h = try Harness(mode: "async", workers: 2)
        XCTAssertEqual(try h.push(rank: 0, step: 0, gradient: 1).text, "")   // w = 1 − 0.5 = 0.5
        XCTAssertEqual(try h.push(rank: 0, step: 0, gradient: 1).text, "duplicate")
        XCTAssertEqual(try h.push(rank: 1, step: 0, gradient: -1).text, "")  // w = 0.5 + 0.5 = 1
        XCTAssertEqual(try h.push(rank: 0, step: 1, gradient: 2).text, "")   // w = 1 − 1 = 0
        XCTAssertEqual(try h.push(rank: 0, step: 1, gradient: 2).text, "duplicate")
        let state = try h.pull()
        XCTAssertEqual(state.version, 3)
        XCTAssertEqual(state.weights, [0, 0, 0, 0])
        try h.stop()
    }
}

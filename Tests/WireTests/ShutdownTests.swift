import Foundation
import Wire
import XCTest

/// Shutdown never hangs and never leaks: `WireContext.close()` returns within 1 s even
/// with a dead peer and messages queued for it, and every socket and file descriptor
/// opened is closed again.
final class ShutdownTests: XCTestCase {
    func testContextClosesWithinOneSecondWithADeadPeerAndQueuedMessages() throws {
        // A peer that accepts the connection and then dies.
        let peerContext = try WireContext()
        let peer = try WireSocket(peerContext, .router)
        try peer.bind("tcp://127.0.0.1:0")
        let endpoint = try peer.lastEndpoint

        let context = try WireContext()
        let dealer = try WireSocket(context, .dealer)
        try dealer.set([.linger(milliseconds: 60_000), .sendHighWaterMark(100_000)])  // the worst a caller could ask for
        try dealer.connect(endpoint)
        try dealer.send(header: Header(kind: .register, role: .worker, rank: 0, jobID: 1))
        XCTAssertNotNil(try peer.receiveMultipart(wait: true))
        peer.close()
        peerContext.close()

        let big = FloatBuffer(count: 1 << 18)
        for _ in 0..<200 {   // 200 MiB queued for a dead peer
            var h = Header(kind: .push, role: .worker, rank: 0, jobID: 1)
            h.keyRange = 0..<big.count
            _ = try dealer.send(header: h, frames: [.zeroCopy(big)], wait: false)
        }
        let start = ContinuousClock.now
        dealer.close()
        context.close()
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(1), "context close took \(elapsed)")
    }

    func testContextClosesWithinOneSecondWhenThePeerNeverExisted() throws {
        let context = try WireContext()
        let dealer = try WireSocket(context, .dealer)
        try dealer.connect("tcp://127.0.0.1:1")   // nothing listens there
        for _ in 0..<100 {
            _ = try dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: 1), wait: false)
        }
        let start = ContinuousClock.now
        dealer.close()
        context.close()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }

    func testContextCloseReturnsEvenWhileAnOwnerStillHoldsASocketAndTerminatesWhenItCloses() throws {
        let fdsBefore = openFileDescriptorCount()
        let context = try WireContext()
        context.closeTimeout = .milliseconds(200)
        let dealer = try WireSocket(context, .dealer)
        try dealer.connect("tcp://127.0.0.1:1")
        _ = try dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: 1), wait: false)
        let start = ContinuousClock.now
        context.close()   // the socket is still open: close() must not hang on it
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        XCTAssertThrowsError(try WireSocket(context, .dealer), "no new sockets on a closed context")
        dealer.close()    // the last socket: the context terminates now, releasing its fds
        XCTAssertEqual(openFileDescriptorCount(), fdsBefore)
    }

    func testEventLoopStopClosesItsSocketsAndTheContextTerminatesPromptly() throws {
        let context = try WireContext()
        let loop = try EventLoop(name: "shutdown", pollInterval: .seconds(10))  // stop must not wait for the poll timeout
        loop.start { handle in
            let router = try WireSocket(context, .router)
            try router.bind("tcp://127.0.0.1:0")
            handle.watch(router, policy: .permissive) { _, _ in }
            let dealer = try WireSocket(context, .dealer)
            try dealer.connect("tcp://127.0.0.1:1")
            _ = try dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: 1), wait: false)
            handle.adopt(dealer)
        }
        let deadline = ContinuousClock.now + .seconds(2)
        while context.openSocketCount < 2 && ContinuousClock.now < deadline { usleep(1000) }
        XCTAssertEqual(context.openSocketCount, 2)
        let start = ContinuousClock.now
        XCTAssertTrue(loop.stop())
        XCTAssertEqual(context.openSocketCount, 0)
        context.close()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        XCTAssertFalse(loop.execute { _ in }, "a stopped loop refuses work")
    }

    func testClosingTheContextWakesAThreadBlockedInReceive() throws {
        let context = try WireContext()
        let result = Locked<String?>(nil)
        let thread = Thread {
            do {
                let pull = try WireSocket(context, .pull)
                try pull.bind("inproc://blocked")
                do {
                    _ = try pull.receiveMultipart(wait: true)
                    result.set("returned")
                } catch {
                    result.set((error as? WireError).map { "\($0.code)" } ?? "\(error)")
                }
                pull.close()
            } catch {
                result.set("setup failed: \(error)")
            }
        }
        thread.start()
        usleep(100_000)
        let start = ContinuousClock.now
        context.close()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        XCTAssertEqual(result.wait(timeout: 2), "contextTerminated")
    }

    func testNoSocketsOrFileDescriptorsLeakAcrossManyOpenCloseCycles() throws {
        let fdsBefore = openFileDescriptorCount()
        let socketsBefore = WireSocket.openCount
        for _ in 0..<20 {
            let pair = try RouterDealerPair()
            try pair.dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: 1))
            _ = try pair.router.receive(policy: .permissive, wait: true)
            let loop = try EventLoop(name: "leak")
            let (context, endpoint) = (pair.context, pair.endpoint)
            loop.start { handle in
                let s = try WireSocket(context, .sub)
                try s.set(.subscribe([]))
                try s.connect(endpoint)
                handle.watch(s) { _ in }
            }
            usleep(5000)
            loop.stop()
            pair.close()
        }
        XCTAssertEqual(WireSocket.openCount, socketsBefore)
        XCTAssertEqual(openFileDescriptorCount(), fdsBefore)
    }
}

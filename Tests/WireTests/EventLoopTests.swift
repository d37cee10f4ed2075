import Foundation
import Wire
import XCTest

final class EventLoopTests: XCTestCase {
    func testWorkFromOtherThreadsRunsOnTheLoopAndUsesItsSockets() throws {
        let context = try WireContext()
        defer { context.close() }
        let pull = try WireSocket(context, .pull)
        try pull.set(.receiveTimeout(milliseconds: 2000))
        try pull.bind("inproc://loop-out")
        defer { pull.close() }

        let loop = try EventLoop(name: "worker-io")
        let token = Locked<SocketToken?>(nil)
        loop.start { handle in
            let push = try WireSocket(context, .push)
            try push.connect("inproc://loop-out")
            token.set(handle.adopt(push))
        }
        defer { loop.stop() }
        let t = try XCTUnwrap(token.wait(timeout: 2))
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for step in 0..<25 {
                loop.execute { handle in
                    var h = Header(kind: .heartbeat, role: .worker, rank: worker, jobID: 1)
                    h.step = step
                    _ = try? handle.socket(t)?.send(header: h)
                }
            }
        }
        var seen = 0
        while let m = try pull.receive(policy: .permissive, wait: true) {
            seen += 1
            XCTAssertEqual(m.header.kind, .heartbeat)
            if seen == 100 { break }
        }
        XCTAssertEqual(seen, 100)
    }

    func testTimersFireOnTheLoopThread() throws {
        let loop = try EventLoop(name: "timer", pollInterval: .milliseconds(500))
        let ticks = Locked<Int?>(0)
        loop.start { handle in
            handle.schedule(every: .milliseconds(10)) { ticks.set((ticks.current ?? 0) + 1) }
        }
        usleep(200_000)
        loop.stop()
        XCTAssertGreaterThanOrEqual(ticks.current ?? 0, 5, "timers run sooner than the poll interval")
    }

    func testPollerReportsOnlyReadableSockets() throws {
        let pair = try RouterDealerPair()
        defer { pair.close() }
        let poller = Poller()
        let r = try poller.add(pair.router)
        let d = try poller.add(pair.dealer)
        XCTAssertEqual(try poller.poll(timeout: .milliseconds(10)), 0)
        try pair.dealer.send(header: Header(kind: .heartbeat, role: .worker, rank: 0, jobID: 1))
        XCTAssertEqual(try poller.poll(timeout: .seconds(2)), 1)
        XCTAssertTrue(poller.isReadable(r))
        XCTAssertFalse(poller.isReadable(d))
        XCTAssertEqual(poller.readable, [r])
    }
}

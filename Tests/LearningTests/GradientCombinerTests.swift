import XCTest
import Learning

final class GradientCombinerTests: XCTestCase {
    private func combine(_ gs: [[Float]], _ counts: [Int]) -> [Float] {
        var out = [Float](repeating: .nan, count: gs.first?.count ?? 0)
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) {
            if i == gs.count {
                out.withUnsafeMutableBufferPointer { GradientCombiner.combine(acc, exampleCounts: counts, into: $0) }
                return
            }
            gs[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
        }
        go(0, [])
        return out
    }

    func testCombineIsExampleWeightedMeanOfWorkerGradients() {
        // Worker means over 2, 1 and 1 examples:
        // out = (2·[1, 4] + 1·[3, −2] + 1·[−1, 6]) / 4 = ([2, 8] + [3, −2] + [−1, 6]) / 4 = [1, 3]
        XCTAssertEqual(combine([[1, 4], [3, -2], [-1, 6]], [2, 1, 1]), [1, 3])
    }

    func testCombineSumsInTheGivenOrderSoOrderChangesTheBits() {
        // Float addition is not associative. In rank order (1e8 + 1) rounds to 1e8, so
        // ((1e8 + 1) − 1e8) / 3 = 0; in another order (1e8 − 1e8) + 1 = 1 → 1/3.
        // Hence the server and the single-node trainer must both sum in worker-rank order.
        XCTAssertEqual(combine([[1e8], [1], [-1e8]], [1, 1, 1]), [0])
        XCTAssertEqual(combine([[1e8], [-1e8], [1]], [1, 1, 1]), [Float(1) / 3])
    }

    func testCombineOfOneWorkerIsItsGradient() {
        XCTAssertEqual(combine([[0.1, -0.2, 0.3]], [32]), [0.1, -0.2, 0.3])
    }

    func testCombineWithNoExamplesGivesZero() {
        XCTAssertEqual(combine([[1, 2]], [0]), [0, 0])
    }
}

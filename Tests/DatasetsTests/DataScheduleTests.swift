import Datasets
import Learning  // SeededGenerator, to restate the documented rules
import XCTest

final class DataScheduleTests: XCTestCase {
    func testEveryExampleIsUsedExactlyOncePerEpochWhenEverythingDivides() throws {
        // N = 4 divides B = 8, and B divides n = 96: 12 steps, nothing skipped.
        let schedule = try DataSchedule(exampleCount: 96, seed: 11, workers: 4, globalBatch: 8)
        XCTAssertEqual(schedule.stepsPerEpoch, 12)
        for epoch in 0..<3 {
            var used: [Int] = []
            for step in 0..<schedule.stepsPerEpoch { used += schedule.globalBatch(epoch: epoch, step: step) }
            XCTAssertEqual(used.sorted(), Array(0..<96), "epoch \(epoch)")
        }
    }

    func testEachExampleIsUsedAtMostOncePerEpochAndTheRemainderIsSkipped() throws {
        // n = 103 over N = 3: shards 35, 34, 34; B = 10: b = 4, 3, 3; steps = min(8, 11, 11) = 8.
        let schedule = try DataSchedule(exampleCount: 103, seed: 2, workers: 3, globalBatch: 10)
        XCTAssertEqual(schedule.localBatchSizes, [4, 3, 3], "the first B mod N ranks get one more")
        XCTAssertEqual((0..<3).map { schedule.shardSize(worker: $0) }, [35, 34, 34])
        XCTAssertEqual(schedule.stepsPerEpoch, 8)
        for epoch in 0..<2 {
            var used: [Int] = []
            for step in 0..<8 { used += schedule.globalBatch(epoch: epoch, step: step) }
            XCTAssertEqual(used.count, 80)
            XCTAssertEqual(Set(used).count, 80, "no example twice in an epoch")
            // Skipped = the tail of each worker's epoch order past steps × b_k.
            var skipped: [Int] = []
            for k in 0..<3 {
                let shard = schedule.shardExamples(worker: k)
                let order = schedule.epochOrder(epoch: epoch, worker: k)
                skipped += order[(8 * schedule.localBatchSizes[k])...].map { shard[$0] }
            }
            XCTAssertEqual(Set(used).union(skipped), Set(0..<103))
        }
    }

    func testShardsAreContiguousSlicesOfTheSeededPermutation() throws {
        let schedule = try DataSchedule(exampleCount: 10, seed: 99, workers: 3, globalBatch: 3)
        var generator = SeededGenerator(seed: 99, streams: DataSchedule.shuffleStream)
        let p = generator.permutation(10)
        XCTAssertEqual(schedule.shardExamples(worker: 0), Array(p[0..<4]))
        XCTAssertEqual(schedule.shardExamples(worker: 1), Array(p[4..<7]))
        XCTAssertEqual(schedule.shardExamples(worker: 2), Array(p[7..<10]))
    }

    func testLocalBatchFollowsTheEpochAndRankSeededOrder() throws {
        let schedule = try DataSchedule(exampleCount: 40, seed: 5, workers: 2, globalBatch: 6)
        var generator = SeededGenerator(seed: 5, streams: 3, 1)
        let order = generator.permutation(20)
        XCTAssertEqual(schedule.localBatch(epoch: 3, step: 2, worker: 1), Array(order[6..<9]))
        let shard = schedule.shardExamples(worker: 1)
        XCTAssertEqual(schedule.epochOrder(epoch: 3, worker: 1), order)
        let plan = schedule.epochPlan(epoch: 3)
        XCTAssertEqual(Array(plan.orders[1].localBatch(step: 2)), Array(order[6..<9]))
        XCTAssertEqual(Array(plan.orders[1].localExamples(step: 2)), order[6..<9].map { shard[$0] })
    }

    func testSameInputsGiveTheSameBatchesInAnyProcess() throws {
        let a = try DataSchedule(exampleCount: 1000, seed: 1234, workers: 3, globalBatch: 32)
        let b = try DataSchedule(exampleCount: 1000, seed: 1234, workers: 3, globalBatch: 32)
        XCTAssertEqual(a, b)
        for epoch in 0..<2 {
            for step in [0, 5, a.stepsPerEpoch - 1] {
                XCTAssertEqual(a.globalBatch(epoch: epoch, step: step), b.globalBatch(epoch: epoch, step: step))
                for k in 0..<3 {
                    XCTAssertEqual(a.localBatch(epoch: epoch, step: step, worker: k), b.localBatch(epoch: epoch, step: step, worker: k))
                }
            }
        }
        // Pinned values: the schedule is a cross-process contract; a change here breaks
        // resuming old runs and must be deliberate.
        let pinned = try DataSchedule(exampleCount: 10, seed: 42, workers: 2, globalBatch: 4)
        XCTAssertEqual(pinned.globalBatch(epoch: 0, step: 0), [5, 8, 9, 1])
    }

    func testGlobalBatchIsTheConcatenationOfLocalBatchesInRankOrder() throws {
        let schedule = try DataSchedule(exampleCount: 500, seed: 8, workers: 4, globalBatch: 30)
        let plan = schedule.epochPlan(epoch: 1)
        for step in 0..<schedule.stepsPerEpoch {
            var expected: [Int] = []
            for k in 0..<4 {
                let shard = schedule.shardExamples(worker: k)
                expected += schedule.localBatch(epoch: 1, step: step, worker: k).map { shard[$0] }
            }
            XCTAssertEqual(schedule.globalBatch(epoch: 1, step: step), expected)
            XCTAssertEqual(plan.globalBatch(step: step), expected)
            XCTAssertEqual(expected.count, 30)
        }
    }

    func testDifferentSeedsAndEpochsGiveDifferentBatches() throws {
        let a = try DataSchedule(exampleCount: 200, seed: 1, workers: 2, globalBatch: 20)
        let b = try DataSchedule(exampleCount: 200, seed: 2, workers: 2, globalBatch: 20)
        XCTAssertNotEqual(a.shardExamples(worker: 0), b.shardExamples(worker: 0))
        XCTAssertNotEqual(a.globalBatch(epoch: 0, step: 0), b.globalBatch(epoch: 0, step: 0))
        XCTAssertNotEqual(a.globalBatch(epoch: 0, step: 0), a.globalBatch(epoch: 1, step: 0))
    }

    func testSingleWorkerGlobalBatchEqualsItsLocalBatch() throws {
        let schedule = try DataSchedule(exampleCount: 50, seed: 3, workers: 1, globalBatch: 7)
        XCTAssertEqual(schedule.stepsPerEpoch, 7)
        XCTAssertEqual(schedule.shardExamples(worker: 0).sorted(), Array(0..<50))
        let shard = schedule.shardExamples(worker: 0)
        for step in 0..<7 {
            XCTAssertEqual(schedule.globalBatch(epoch: 2, step: step),
                           schedule.localBatch(epoch: 2, step: step, worker: 0).map { shard[$0] })
        }
    }

    func testInvalidSchedulesAreRejectedWithAReason() {
        assertDatasetError(.invalidSchedule, ["at least one worker (got 0)"]) {
            _ = try DataSchedule(exampleCount: 10, seed: 0, workers: 0, globalBatch: 4)
        }
        assertDatasetError(.invalidSchedule, ["global batch 3 is smaller than the 4 workers"]) {
            _ = try DataSchedule(exampleCount: 10, seed: 0, workers: 4, globalBatch: 3)
        }
        assertDatasetError(.invalidSchedule, ["not enough examples", "worker 0 a shard of 3", "local batch of 4"]) {
            _ = try DataSchedule(exampleCount: 10, seed: 0, workers: 4, globalBatch: 16)
        }
        assertDatasetError(.invalidSchedule, ["at least one example (got 0)"]) {
            _ = try DataSchedule(exampleCount: 0, seed: 0, workers: 1, globalBatch: 1)
        }
    }

    func testMNISTSizedEpochOrderIsCheap() throws {
        let schedule = try DataSchedule(exampleCount: 60_000, seed: 1, workers: 4, globalBatch: 128)
        let start = Date()
        var total = 0
        for epoch in 0..<5 {
            let plan = schedule.epochPlan(epoch: epoch)
            for step in 0..<plan.steps { total += plan.globalBatch(step: step).count }
        }
        let seconds = Date().timeIntervalSince(start)
        print("5 MNIST-sized epochs of schedule (N=4, B=128): \(String(format: "%.3f", seconds)) s")
        XCTAssertEqual(total, 5 * schedule.stepsPerEpoch * 128)
        XCTAssertLessThan(seconds, 5)
    }
}

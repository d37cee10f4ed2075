/// One worker's visiting order for one epoch, computed once (O(shard)) so each step's batch
/// is an O(1) slice; an element of `DataSchedule.epochPlan(epoch:)`. See `DataSchedule` for
/// the rules.
public struct EpochOrder: Sendable, Equatable {
    public let epoch: Int
    public let worker: Int
    public let localBatchSize: Int
    /// Steps in this epoch (`DataSchedule.stepsPerEpoch`); positions past
    /// `steps × localBatchSize` are skipped this epoch.
    public let steps: Int
    /// The seeded permutation of 0..<|shard|: positions within the shard in visiting order.
    public let positions: [Int]
    /// `positions` mapped to global example indices (`shard[positions[i]]`).
    public let examples: [Int]

    /// Positions within the shard for step t: `positions[t·b ..< (t+1)·b]`.
    public func localBatch(step: Int) -> ArraySlice<Int> {
        positions[range(step)]
    }

    /// The same step as global example indices, ready for `Dataset.gather` on the full set.
    public func localExamples(step: Int) -> ArraySlice<Int> {
        examples[range(step)]
    }

    private func range(_ step: Int) -> Range<Int> {
        precondition(step >= 0 && step < steps, "EpochOrder: step \(step) outside 0..<\(steps)")
        return step * localBatchSize..<(step + 1) * localBatchSize
    }
}

import Learning

/// Which examples every worker uses at every step: a PURE function of (example count, seed,
/// N workers, global batch B). Every process of a job builds the same schedule from the
/// same four numbers, and the single-node trainer builds it too, which is what makes
/// distributed sync training checkable against single-node training (DESIGN.md, "The data
/// schedule").
///
/// Rules:
/// - P = `SeededGenerator(seed: seed, streams: DataSchedule.shuffleStream).permutation(n)`.
/// - Shard k is the k-th contiguous slice of P. Shard sizes are as equal as possible: each
///   shard has ⌊n/N⌋ examples and the first (n mod N) shards one more.
/// - Local batch sizes b_k split B the same way: ⌊B/N⌋ each, the first (B mod N) ranks one
///   more, so Σ b_k = B.
/// - In epoch e, worker k visits its shard in the order
///   `SeededGenerator(seed: seed, streams: e, k).permutation(|shard_k|)` (positions within
///   the shard); step t uses positions [t·b_k, (t+1)·b_k) of that order.
/// - stepsPerEpoch = min over k of ⌊|shard_k| / b_k⌋, the same for every worker so sync
///   steps line up.
/// - Remainder rule: the positions after stepsPerEpoch·b_k in a worker's epoch order are
///   skipped that epoch. So every example is used AT MOST once per epoch, and EXACTLY once
///   when |shard_k| = stepsPerEpoch·b_k for every k (e.g. when N divides B and B divides
///   n). Because the order is reshuffled each epoch, the skipped examples differ between
///   epochs.
/// - The global batch of step t is the concatenation of the N local batches (as global
///   example indices) in rank order.
///
/// Cost: `init` is O(n) (it holds P). `epochOrder(epoch:worker:)` (one worker's positions)
/// and `epochPlan(epoch:)` (every worker, with global indices) are O(shard) / O(n) once per
/// epoch and then O(b) per step: a trainer should hold them for the epoch. `localBatch` and `globalBatch(epoch:step:)` are
/// conveniences that recompute the epoch's order on every call.
///
/// Ranks, epochs and steps passed to the accessors come from the trainer, which validated
/// them against `workers` and `stepsPerEpoch`; out of range they are programming errors
/// and trap.
public struct DataSchedule: Sendable, Equatable {
    /// The stream constant of P ("shuffle" in ASCII), apart from the (epoch, rank) streams
    /// and from `StratifiedSplit.stream`.
    public static let shuffleStream: UInt64 = 0x73_68_75_66_66_6C_65

    public let exampleCount: Int
    public let seed: UInt64
    public let workers: Int
    public let globalBatch: Int
    /// b_k: B split as evenly as possible, the first (B mod N) ranks one more.
    public private(set) var localBatchSizes: [Int]
    public private(set) var stepsPerEpoch: Int
    /// Shard k is `permutation[shardOffsets[k]..<shardOffsets[k + 1]]`.
    public private(set) var shardOffsets: [Int]
    /// P, the seeded permutation of the example indices.
    public private(set) var permutation: [Int]

    public init(exampleCount: Int, seed: UInt64, workers: Int, globalBatch: Int) throws {
        guard exampleCount >= 1 else {
            throw DatasetError(.invalidSchedule, path: nil, "a schedule needs at least one example (got \(exampleCount))")
        }
        guard workers >= 1 else {
            throw DatasetError(.invalidSchedule, path: nil, "a schedule needs at least one worker (got \(workers))")
        }
        guard globalBatch >= workers else {
            throw DatasetError(.invalidSchedule, path: nil,
                               "global batch \(globalBatch) is smaller than the \(workers) workers: every worker needs at least one example per step")
        }
        let shardSizes = Self.evenSplit(exampleCount, into: workers)
        let batches = Self.evenSplit(globalBatch, into: workers)
        var steps = Int.max
        var tightest = 0
        for k in 0..<workers where shardSizes[k] / batches[k] < steps {
            steps = shardSizes[k] / batches[k]
            tightest = k
        }
        guard steps >= 1 else {
            throw DatasetError(.invalidSchedule, path: nil,
                               "not enough examples: \(exampleCount) examples over \(workers) workers give worker \(tightest) a shard of \(shardSizes[tightest]), fewer than its local batch of \(batches[tightest]) (global batch \(globalBatch))")
        }
        var offsets = [0]
        for size in shardSizes { offsets.append((offsets.last ?? 0) + size) }
        var generator = SeededGenerator(seed: seed, streams: Self.shuffleStream)
        self.exampleCount = exampleCount
        self.seed = seed
        self.workers = workers
        self.globalBatch = globalBatch
        self.localBatchSizes = batches
        self.stepsPerEpoch = steps
        self.shardOffsets = offsets
        self.permutation = generator.permutation(exampleCount)
    }

    /// |shard_k|.
    public func shardSize(worker: Int) -> Int {
        checkWorker(worker)
        return shardOffsets[worker + 1] - shardOffsets[worker]
    }

    /// Global example indices of shard k: the k-th contiguous slice of P.
    public func shardExamples(worker: Int) -> [Int] {
        checkWorker(worker)
        return Array(permutation[shardOffsets[worker]..<shardOffsets[worker + 1]])
    }

    /// Worker k's visiting order for epoch e: positions within shard k (a permutation of
    /// 0..<|shard_k|); step t is `order[t·b_k ..< (t+1)·b_k]`. O(|shard|): compute it once
    /// per epoch and slice it per step.
    public func epochOrder(epoch: Int, worker: Int) -> [Int] {
        checkWorker(worker)
        precondition(epoch >= 0, "DataSchedule: epoch \(epoch) is negative")
        var generator = SeededGenerator(seed: seed, streams: UInt64(epoch), UInt64(worker))
        return generator.permutation(shardSize(worker: worker))
    }

    /// Every worker's order for epoch e, also as global example indices: what the
    /// single-node trainer (and the coordinator's bookkeeping) holds to form global batches
    /// in O(B) per step.
    public func epochPlan(epoch: Int) -> EpochPlan {
        EpochPlan(orders: (0..<workers).map { k in
            let positions = epochOrder(epoch: epoch, worker: k)
            let base = shardOffsets[k]
            return EpochOrder(epoch: epoch, worker: k, localBatchSize: localBatchSizes[k], steps: stepsPerEpoch,
                              positions: positions, examples: positions.map { permutation[base + $0] })
        })
    }

    /// Positions WITHIN shard k (indices into `shardExamples(worker:)`) for this step.
    /// Recomputes the epoch's order: O(|shard|); per-step callers should hold `epochOrder`.
    public func localBatch(epoch: Int, step: Int, worker: Int) -> [Int] {
        precondition(step >= 0 && step < stepsPerEpoch, "DataSchedule: step \(step) outside 0..<\(stepsPerEpoch)")
        let b = localBatchSizes[worker]
        return Array(epochOrder(epoch: epoch, worker: worker)[step * b..<(step + 1) * b])
    }

    /// Global example indices of this step: the N local batches in rank order. O(n); per-step
    /// callers should use `epochPlan(epoch:)`.
    public func globalBatch(epoch: Int, step: Int) -> [Int] {
        epochPlan(epoch: epoch).globalBatch(step: step)
    }

    /// `total` split into `parts` as evenly as possible, the first (total mod parts) one more.
    static func evenSplit(_ total: Int, into parts: Int) -> [Int] {
        (0..<parts).map { total / parts + ($0 < total % parts ? 1 : 0) }
    }

    private func checkWorker(_ worker: Int) {
        precondition(worker >= 0 && worker < workers, "DataSchedule: worker \(worker) outside 0..<\(workers)")
    }
}

import Datasets
import Learning

/// Reusable input buffers for one local batch, filled from a data set by example index.
///
/// Allocated once for the largest local batch; every step reuses them, so the training loop
/// does no heap allocation in steady state.
final class BatchGather {
    let capacity: Int
    let sampleSize: Int
    let features: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Int32>
    let indices: UnsafeMutableBufferPointer<Int>

    init(capacity: Int, sampleSize: Int) {
        self.capacity = capacity
        self.sampleSize = sampleSize
        features = .allocate(capacity: max(1, capacity * sampleSize))
        labels = .allocate(capacity: max(1, capacity))
        indices = .allocate(capacity: max(1, capacity))
    }

    deinit {
        features.deallocate()
        labels.deallocate()
        indices.deallocate()
    }

    /// Gathers the examples at positions `order[p]` for p in [from, from + count), each mapped
    /// through `examples` when given (the single-node trainer holds the whole set and maps shard
    /// positions to example indices; a worker holds only its shard, in shard order).
    func fill(from data: Dataset, order: UnsafeBufferPointer<Int>, from start: Int, count: Int,
              examples: UnsafeBufferPointer<Int>? = nil) {
        if let examples {
            for i in 0..<count { indices[i] = examples[order[start + i]] }
        } else {
            for i in 0..<count { indices[i] = order[start + i] }
        }
        data.gather(UnsafeBufferPointer(rebasing: indices[0..<count]), features: features, labels: labels)
    }
}

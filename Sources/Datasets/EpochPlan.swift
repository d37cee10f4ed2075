/// All workers' orders for one epoch; its global batch of step t is the concatenation of
/// the N local batches (global indices) in rank order.
public struct EpochPlan: Sendable, Equatable {
    public let orders: [EpochOrder]

    public var steps: Int { orders.first?.steps ?? 0 }

    public func globalBatch(step: Int) -> [Int] {
        var batch: [Int] = []
        batch.reserveCapacity(orders.reduce(0) { $0 + $1.localBatchSize })
        for order in orders { batch.append(contentsOf: order.localExamples(step: step)) }
        return batch
    }
}

import Learning
import Wire

extension JobSpec {
    /// The optimizer a server shard runs: the same configuration the single-node trainer uses.
    func optimizerConfig() throws -> OptimizerConfig {
        guard let kind = OptimizerKind(rawValue: optimizer) else {
            throw ClusterError(.protocolViolation, "job names unknown optimizer '\(optimizer)'")
        }
        var c = OptimizerConfig(kind: kind, learningRate: learningRate)
        c.momentum = momentum
        c.beta1 = beta1
        c.beta2 = beta2
        c.epsilon = epsilon
        c.weightDecay = weightDecay
        return c
    }

    var syncMode: SyncMode { SyncMode(rawValue: mode) ?? .sync }

    /// Pushes a shard applies per step: one combined update in sync mode, one per worker otherwise.
    var updatesPerStep: Int { syncMode == .sync ? 1 : workers }

    /// Shard versions at which the coordinator evaluates: the end of every epoch and of the run.
    var evaluationVersions: [Int] {
        guard stepsPerEpoch > 0 else { return [] }
        var steps: [Int] = []
        var s = stepsPerEpoch
        while s < totalSteps {
            steps.append(s)
            s += stepsPerEpoch
        }
        steps.append(totalSteps)
        return steps.map { $0 * updatesPerStep }
    }
}

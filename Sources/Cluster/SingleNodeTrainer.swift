import Datasets
import Foundation
import Learning

/// One-process training on the schedule of an N-worker synchronous cluster.
///
/// With `workers = N` it computes, for every step, the gradient of each of the N local
/// batches separately and combines them in rank order weighted by example count — exactly
/// what N workers and the server shards do — with the same model, schedule, combiner and
/// optimizer code. That makes it the reference the cluster's equivalence tests compare to.
public final class SingleNodeTrainer {
    public let job: TrainingJob
    let split: DataSplit
    let printer: ProgressPrinter

    public init(job: TrainingJob, split: DataSplit, printer: ProgressPrinter = ProgressPrinter()) {
        self.job = job
        self.split = split
        self.printer = printer
    }

    public func run() throws -> TrainingSummary {
        let wallStart = Clock.now
        let train = split.train
        let schedule: DataSchedule
        do {
            schedule = try DataSchedule(exampleCount: train.count, seed: job.seed,
                                        workers: job.workers, globalBatch: job.batch)
        } catch {
            throw ClusterError(.badArgument, "cannot schedule \(train.count) examples: \(error)")
        }
        let localSizes = schedule.localBatchSizes
        let maxLocal = localSizes.max() ?? job.batch
        let evalBatch = 256
        let network: Network
        do {
            network = try Network(spec: job.spec, inputShape: train.sampleShape,
                                  classCount: train.classCount, maxBatch: max(maxLocal, evalBatch))
        } catch {
            throw ClusterError(.badArgument, "model \(job.modelName) does not fit data \(train.name): \(error)")
        }
        network.initializeParameters(seed: job.seed)
        let count = network.parameterCount
        let optimizer = SliceOptimizer(config: job.optimizer, count: count)

        let n = job.workers
        // Per-rank gradient copies only when there is more than one rank to combine.
        let perRank: [UnsafeMutableBufferPointer<Float>] = n > 1
            ? (0..<n).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: count) } : []
        let perRankViews = perRank.map { UnsafeBufferPointer($0) }
        let combined = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer {
            perRank.forEach { $0.deallocate() }
            combined.deallocate()
        }
        let gather = BatchGather(capacity: maxLocal, sampleSize: train.sampleSize)
        let shards = (0..<n).map { schedule.shardExamples(worker: $0) }

        let stepsPerEpoch = schedule.stepsPerEpoch
        let totalSteps = min(job.maxSteps ?? Int.max, stepsPerEpoch * job.epochs)
        let epochsToRun = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
        printer.start(job: job, split: split, parameterCount: count, stepsPerEpoch: stepsPerEpoch,
                      totalSteps: totalSteps)

        var step = 0
        var trainSeconds = 0.0
        var trainedExamples = 0
        var lastTrainLoss = Double.nan
        var last = (loss: Double.nan, accuracy: 0.0)
        for epoch in 0..<epochsToRun {
            let epochStart = Clock.now
            let orders = (0..<n).map { schedule.epochOrder(epoch: epoch, worker: $0) }
            var lossSum = 0.0
            var examples = 0
            let stepsThisEpoch = min(stepsPerEpoch, totalSteps - step)
            for t in 0..<stepsThisEpoch {
                for k in 0..<n {
                    shards[k].withUnsafeBufferPointer { shard in
                        orders[k].withUnsafeBufferPointer { order in
                            gather.fill(from: train, order: order, from: t * localSizes[k],
                                        count: localSizes[k], examples: shard)
                        }
                    }
                    let loss = network.lossAndGradient(inputs: gather.features, labels: gather.labels,
                                                       batch: localSizes[k])
                    lossSum += Double(loss) * Double(localSizes[k])
                    examples += localSizes[k]
                    if n > 1 {
                        _ = perRank[k].initialize(from: network.gradients)
                    }
                }
                if n > 1 {
                    GradientCombiner.combine(perRankViews,
                                             exampleCounts: localSizes, into: combined)
                    optimizer.step(parameters: network.parameters, gradients: UnsafeBufferPointer(combined))
                } else {
                    optimizer.step(parameters: network.parameters,
                                   gradients: UnsafeBufferPointer(network.gradients))
                }
                step += 1
                printer.stepDone(epoch: epoch, step: t + 1, of: stepsThisEpoch,
                                 loss: lossSum / Double(max(examples, 1)), examples: examples,
                                 since: epochStart)
            }
            let epochTrain = Clock.seconds(since: epochStart)
            trainSeconds += epochTrain
            trainedExamples += examples
            lastTrainLoss = lossSum / Double(max(examples, 1))
            last = Evaluator.evaluate(network, on: split.test, batch: evalBatch)
            printer.epochDone(epoch: epoch + 1, of: epochsToRun, trainLoss: lastTrainLoss,
                              testLoss: last.loss, testAccuracy: last.accuracy,
                              samplesPerSecond: Double(examples) / max(epochTrain, 1e-9),
                              seconds: Clock.seconds(since: epochStart))
        }

        let summary = TrainingSummary(
            testAccuracy: last.accuracy, testLoss: last.loss, trainLoss: lastTrainLoss,
            epochs: epochsToRun, steps: step,
            samplesPerSecond: Double(trainedExamples) / max(trainSeconds, 1e-9),
            wallSeconds: Clock.seconds(since: wallStart), model: job.modelName,
            optimizer: job.optimizer.kind.rawValue, workers: job.workers, servers: 0)
        if let path = job.export {
            try ModelExport.write(parameters: UnsafeBufferPointer(network.parameters),
                                  tensors: network.parameterTensors, spec: job.spec,
                                  modelName: job.modelName, inputShape: train.sampleShape,
                                  classCount: train.classCount, to: path)
        }
        if let path = job.summaryJSON { try summary.write(to: path) }
        return summary
    }
}

import ArgumentParser
import Cluster
import Learning

/// The flags that define a training job, shared by `train` and `coordinator`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Model: logreg, mlp, cnn, iris-mlp, or a layer spec such as \"conv(32,3) relu maxpool(2) flatten dense(64) relu dense(10)\".")
    var model: String = "mlp"

    @Option(help: "Optimizer: sgd, momentum, nesterov, adam, adamw or adagrad (default: the model's).")
    var optimizer: String?

    @Option(help: "Learning rate, > 0 (default: the model's).")
    var lr: Float?

    @Option(help: "Global batch size B, the examples behind one optimizer step over all workers (default: the model's).")
    var batch: Int?

    @Option(help: "Epochs over the training set (default: the model's).")
    var epochs: Int?

    @Option(help: "Stop after this many optimizer steps in all (evaluates at the end).")
    var steps: Int?

    @Option(help: "Seed for initialisation, the data split and the data schedule.")
    var seed: UInt64 = 1

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Synchronisation: sync (BSP), async (ASP) or ssp (bounded staleness).")
    var mode: String = "sync"

    @Option(help: "With --mode ssp: a worker at step t waits until every shard's version is at least t − staleness.")
    var staleness: Int = 2

    @Option(help: "OpenBLAS threads per process (default: measured best for the model, never more than cores ÷ compute processes).")
    var blasThreads: Int?

    @Option(help: "Write the run's summary (accuracy, losses, samples/s, seconds, …) as JSON to this file.")
    var summaryJson: String?

    @Option(help: "Write the final parameters as .safetensors to this file.")
    var export: String?

    func validate() throws {
        if let lr, !(lr > 0) || !lr.isFinite { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if let blasThreads, blasThreads < 1 { throw ValidationError("--blas-threads must be at least 1, got \(blasThreads)") }
        if SyncMode(rawValue: mode) == nil {
            throw ValidationError("--mode must be sync, async or ssp, got '\(mode)'")
        }
        if staleness < 0 { throw ValidationError("--staleness must be ≥ 0, got \(staleness)") }
        if let optimizer, OptimizerKind(rawValue: optimizer) == nil {
            throw ValidationError("--optimizer must be one of \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(optimizer)'")
        }
    }

    /// The resolved job; `workers`/`servers` describe the schedule and the cluster shape.
    func job(workers: Int, servers: Int) throws -> TrainingJob {
        let r = try TrainingJob.resolve(model: model, optimizer: optimizer, learningRate: lr,
                                        batch: batch, epochs: epochs, data: dataOptions.data)
        return TrainingJob(modelName: r.name, spec: r.spec, optimizer: r.optimizer, batch: r.batch,
                           epochs: r.epochs, maxSteps: steps, seed: seed, data: r.data,
                           testData: dataOptions.testData, labelColumn: dataOptions.labelColumn, workers: workers,
                           servers: servers, mode: SyncMode(rawValue: mode) ?? .sync,
                           staleness: staleness, blasThreads: blasThreads,
                           summaryJSON: summaryJson, export: export)
    }
}

/// Where the examples come from; shared by `train`, `coordinator` and `evaluate`.
struct DataOptions: ParsableArguments {
    @Option(help: "Data: mnist, iris, a directory of MNIST-format IDX files, or a .csv / .npy file (training default: mnist; iris for iris-mlp).")
    var data: String?

    @Option(help: "Separate test set (same kinds as --data). Without it CSV/NPY data and Iris are split 80/20, stratified, by seed.")
    var testData: String?

    @Option(help: "CSV column holding the class label (default: label, species, class or target, else the last column).")
    var labelColumn: String?
}

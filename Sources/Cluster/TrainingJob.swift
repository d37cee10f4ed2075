import Learning

/// How workers and server shards agree on when to apply a gradient (DESIGN.md, "Training semantics").
public enum SyncMode: String, Sendable, CaseIterable {
    /// BSP: a shard waits for every live worker's step-t push, sums them in rank order, applies once.
    case sync
    /// ASP: a shard applies each push on arrival; workers never wait.
    case async
    /// SSP: a worker at step t waits until every shard's version is at least t − staleness.
    case ssp
}

/// Everything that defines a training run, resolved and validated once.
///
/// The single-node trainer, the coordinator and (through the job spec it is sent) every
/// worker and server shard read the same values, so a run is described in one place.
public struct TrainingJob: Sendable, Equatable {
    /// The name the user gave (`mlp`, `cnn`, …) or the spec text itself.
    public var modelName: String
    public var spec: ModelSpec
    public var optimizer: OptimizerConfig
    /// Global batch B: the examples behind one optimizer step, over all workers.
    public var batch: Int
    public var epochs: Int
    /// Optional cap on the total number of optimizer steps (across epochs).
    public var maxSteps: Int?
    public var seed: UInt64
    public var data: String
    public var testData: String?
    public var labelColumn: String?
    /// N in the data schedule: how many workers' local batches make one global batch.
    public var workers: Int
    public var servers: Int
    public var mode: SyncMode
    public var staleness: Int
    public var blasThreads: Int?
    public var summaryJSON: String?
    public var export: String?

    public init(modelName: String, spec: ModelSpec, optimizer: OptimizerConfig, batch: Int,
                epochs: Int, maxSteps: Int? = nil, seed: UInt64 = 1, data: String,
                testData: String? = nil, labelColumn: String? = nil, workers: Int = 1,
                servers: Int = 1, mode: SyncMode = .sync, staleness: Int = 0,
                blasThreads: Int? = nil, summaryJSON: String? = nil, export: String? = nil) {
        self.modelName = modelName
        self.spec = spec
        self.optimizer = optimizer
        self.batch = batch
        self.epochs = epochs
        self.maxSteps = maxSteps
        self.seed = seed
        self.data = data
        self.testData = testData
        self.labelColumn = labelColumn
        self.workers = workers
        self.servers = servers
        self.mode = mode
        self.staleness = staleness
        self.blasThreads = blasThreads
        self.summaryJSON = summaryJSON
        self.export = export
    }

    /// Resolves a user's `--model` and optional overrides into a job, filling the gaps from the
    /// model's preset (so `--model cnn` alone reproduces the documented figure).
    ///
    /// `model` is a preset name (`logreg`, `mlp`, `cnn`, `iris-mlp`) or a layer spec such as
    /// `"conv(32,3) relu maxpool(2) flatten dense(64) relu dense(10)"`.
    public static func resolve(model: String, optimizer: String?, learningRate: Float?,
                               batch: Int?, epochs: Int?, data: String?) throws -> (
        name: String, spec: ModelSpec, optimizer: OptimizerConfig, batch: Int, epochs: Int, data: String
    ) {
        let preset = ModelPreset.named(model)
        let spec: ModelSpec
        if let preset {
            spec = preset.spec
        } else {
            do {
                spec = try ModelSpec(parsing: model)
            } catch {
                let names = ModelPreset.all.map(\.name).joined(separator: ", ")
                throw ClusterError(.badArgument,
                                   "--model '\(model)' is neither a known model (\(names)) nor a valid layer spec: \(error)")
            }
        }
        let kindName = optimizer ?? preset?.optimizer.rawValue ?? OptimizerKind.adam.rawValue
        guard let kind = OptimizerKind(rawValue: kindName) else {
            let names = OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ClusterError(.badArgument, "--optimizer '\(kindName)' is unknown; expected one of \(names)")
        }
        let lr = learningRate ?? (preset?.optimizer == kind ? preset?.learningRate : nil) ?? defaultLearningRate(kind)
        guard lr > 0, lr.isFinite else {
            throw ClusterError(.badArgument, "--lr must be a positive number, got \(lr)")
        }
        let b = batch ?? preset?.batch ?? 64
        guard b > 0 else { throw ClusterError(.badArgument, "--batch must be at least 1, got \(b)") }
        let e = epochs ?? preset?.epochs ?? 1
        guard e > 0 else { throw ClusterError(.badArgument, "--epochs must be at least 1, got \(e)") }
        let d = data ?? (model == "iris-mlp" ? "iris" : "mnist")
        // The preset's whole optimizer recipe (e.g. iris-mlp's weight decay) applies when the
        // user keeps its optimizer; only the learning rate is then theirs to override.
        var config = preset.flatMap { $0.optimizer == kind ? $0.optimizerConfig : nil }
            ?? OptimizerConfig(kind: kind, learningRate: lr)
        config.learningRate = lr
        return (model, spec, config, b, e, d)
    }

    static func defaultLearningRate(_ kind: OptimizerKind) -> Float {
        switch kind {
        case .sgd, .momentum, .nesterov: 0.01
        case .adam, .adamw: 0.001
        case .adagrad: 0.01
        }
    }
}

extension TrainingJob {
    /// The job as `swiftps coordinator` flags (minus --workers/--servers/--bind), so a
    /// launcher can hand a resolved job to a child process unchanged.
    public var trainingArguments: [String] {
        var a = ["--model", modelName, "--optimizer", optimizer.kind.rawValue,
                 "--lr", "\(optimizer.learningRate)", "--batch", String(batch),
                 "--epochs", String(epochs), "--seed", String(seed), "--data", data,
                 "--mode", mode.rawValue, "--staleness", String(staleness)]
        if let maxSteps { a += ["--steps", String(maxSteps)] }
        if let testData { a += ["--test-data", testData] }
        if let labelColumn { a += ["--label-column", labelColumn] }
        if let summaryJSON { a += ["--summary-json", summaryJSON] }
        if let export { a += ["--export", export] }
        return a
    }
}

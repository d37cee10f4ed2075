/// One parameter-server shard: owns keys [keyLo, keyHi) of the flat parameter vector.
public struct ShardInfo: Sendable, Equatable, Hashable {
    public var rank: Int
    public var keyLo: Int
    public var keyHi: Int
    /// Where push / pull requests go (the shard's ROUTER).
    public var routerEndpoint: String
    /// Where weight broadcasts come from (the shard's PUB).
    public var publishEndpoint: String

    public init(rank: Int, keyLo: Int, keyHi: Int, routerEndpoint: String, publishEndpoint: String) {
        self.rank = rank
        self.keyLo = keyLo
        self.keyHi = keyHi
        self.routerEndpoint = routerEndpoint
        self.publishEndpoint = publishEndpoint
    }

    public var keyRange: Range<Int> { keyLo..<max(keyLo, keyHi) }
}

/// Everything a server or worker needs to take part in a job, sent by the coordinator in
/// `registerAck`. Shipping it over the wire (rather than each role parsing the same
/// flags) means every role is guaranteed to train the same model with the same schedule.
public struct JobSpec: Sendable, Equatable {
    /// Rank the coordinator assigned to the receiver.
    public var rank: Int
    public var modelSpec: String
    /// One sample's shape, e.g. [28, 28, 1].
    public var inputShape: [Int]
    public var classCount: Int
    public var optimizer: String
    public var learningRate: Float
    public var momentum: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var globalBatch: Int
    public var seed: UInt64
    public var workers: Int
    public var servers: Int
    public var epochs: Int
    public var totalSteps: Int
    public var stepsPerEpoch: Int
    /// "sync" | "async" | "ssp".
    public var mode: String
    public var staleness: Int
    public var parameterCount: Int
    public var blasThreads: Int
    /// In shard-rank order, covering [0, parameterCount).
    public var shards: [ShardInfo]
    /// Worker only: examples in its data shard.
    public var shardExampleCount: Int
    /// Examples in the whole training set: with the seed, N and B it defines the data
    /// schedule, which every worker recomputes for itself.
    public var trainExampleCount: Int

    public init(rank: Int = 0, modelSpec: String = "", inputShape: [Int] = [], classCount: Int = 0,
                optimizer: String = "sgd", learningRate: Float = 0.01, momentum: Float = 0,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, globalBatch: Int = 0, seed: UInt64 = 0,
                workers: Int = 0, servers: Int = 0, epochs: Int = 0, totalSteps: Int = 0,
                stepsPerEpoch: Int = 0, mode: String = "sync", staleness: Int = 0,
                parameterCount: Int = 0, blasThreads: Int = 1, shards: [ShardInfo] = [],
                shardExampleCount: Int = 0, trainExampleCount: Int = 0) {
        self.rank = rank
        self.modelSpec = modelSpec
        self.inputShape = inputShape
        self.classCount = classCount
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.globalBatch = globalBatch
        self.seed = seed
        self.workers = workers
        self.servers = servers
        self.epochs = epochs
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.mode = mode
        self.staleness = staleness
        self.parameterCount = parameterCount
        self.blasThreads = blasThreads
        self.shards = shards
        self.shardExampleCount = shardExampleCount
        self.trainExampleCount = trainExampleCount
    }
}

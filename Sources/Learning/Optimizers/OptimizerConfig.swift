/// Hyper-parameters of an optimizer. Defaults follow Keras, so results are comparable with the
/// Keras MNIST examples:
/// - `momentum` 0.9 (used by `.momentum` and `.nesterov`)
/// - `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7 (Keras' Adam/AdaGrad ε; PyTorch uses 1e-8)
/// - `weightDecay` 0 — except `.adamw`: 0.004 (Keras AdamW default). For the SGD family, Adam
///   and AdaGrad it is coupled L2 (added to the gradient: g ← g + λθ); for AdamW it is decoupled.
/// - `initialAccumulator` 0.1 for AdaGrad (Keras default; keeps the first steps bounded).
public struct OptimizerConfig: Sendable, Equatable {
    public var kind: OptimizerKind
    public var learningRate: Float
    public var momentum: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var initialAccumulator: Float

    public init(kind: OptimizerKind, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
        momentum = 0.9
        beta1 = 0.9
        beta2 = 0.999
        epsilon = 1e-7
        weightDecay = kind == .adamw ? 0.004 : 0
        initialAccumulator = 0.1
    }
}

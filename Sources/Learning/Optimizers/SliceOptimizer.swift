/// An optimizer for one contiguous slice [lo, hi) of the flat parameter vector, with state
/// sized to that slice.
///
/// Why slices: a parameter-server shard owns only [lo, hi); the single-node trainer owns the
/// whole vector. Both call this same code, and every update is elementwise with per-step
/// scalars computed identically, so a shard's result on its elements is bit-identical to the
/// full-vector result (tested). Update loops use raw pointers with no allocation and vectorise
/// (including the square root, via `Float.squareRoot()`).
///
/// The `step` counter t starts at 0 and is incremented before each update (Adam's bias
/// correction uses t ≥ 1).
public final class SliceOptimizer {
    public let config: OptimizerConfig
    public let count: Int
    public private(set) var stepCount: Int = 0
    /// One buffer per `stateNames` entry, `count` floats each.
    private let buffers: [UnsafeMutableBufferPointer<Float>]

    public init(config: OptimizerConfig, count: Int) {
        self.config = config
        self.count = max(0, count)
        let names = Self.stateNames(for: config.kind)
        buffers = names.map { name in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            b.initialize(repeating: name == "accumulator" ? config.initialAccumulator : 0)
            return b
        }
    }

    deinit {
        for b in buffers { b.deallocate() }
    }

    /// Names of the per-element state buffers: sgd none; momentum/nesterov "velocity";
    /// adam/adamw "m", "v"; adagrad "accumulator".
    public var stateNames: [String] { Self.stateNames(for: config.kind) }

    static func stateNames(for kind: OptimizerKind) -> [String] {
        switch kind {
        case .sgd: return []
        case .momentum, .nesterov: return ["velocity"]
        case .adam, .adamw: return ["m", "v"]
        case .adagrad: return ["accumulator"]
        }
    }

    /// The state buffer called `name` (exactly `count` floats), for checkpoints; nil if unknown.
    public func state(_ name: String) -> UnsafeMutableBufferPointer<Float>? {
        guard let i = stateNames.firstIndex(of: name) else { return nil }
        return UnsafeMutableBufferPointer(rebasing: buffers[i][0..<count])
    }

    /// After writing the state buffers back from a checkpoint, restores the step counter.
    public func restore(stepCount: Int) {
        self.stepCount = max(0, stepCount)
    }

    /// Applies one update. `parameters` and `gradients` must both be exactly `count` long
    /// (callers validate lengths of anything received from the network before calling).
    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>) {
        precondition(parameters.count == count && gradients.count == count,
                     "optimizer slice holds \(count) elements, got \(parameters.count) parameters and \(gradients.count) gradients")
        stepCount += 1
        guard count > 0, let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        let c = config
        switch c.kind {
        case .sgd:
            SGD.update(p, g, count: count, learningRate: c.learningRate, weightDecay: c.weightDecay)
        case .momentum:
            Momentum.update(p, g, velocity: buffers[0].baseAddress!, count: count, learningRate: c.learningRate,
                            momentum: c.momentum, weightDecay: c.weightDecay)
        case .nesterov:
            Nesterov.update(p, g, velocity: buffers[0].baseAddress!, count: count, learningRate: c.learningRate,
                            momentum: c.momentum, weightDecay: c.weightDecay)
        case .adam, .adamw:
            let t = Double(stepCount)
            let correction1 = Float(1 / (1 - mathPow(Double(c.beta1), t)))
            let correction2 = Float(1 / (1 - mathPow(Double(c.beta2), t)))
            if c.kind == .adamw {
                AdamW.decay(p, count: count, learningRate: c.learningRate, weightDecay: c.weightDecay)
            }
            Adam.update(p, g, m: buffers[0].baseAddress!, v: buffers[1].baseAddress!, count: count,
                        learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon,
                        correction1: correction1, correction2: correction2,
                        weightDecay: c.kind == .adam ? c.weightDecay : 0)
        case .adagrad:
            AdaGrad.update(p, g, accumulator: buffers[0].baseAddress!, count: count,
                           learningRate: c.learningRate, epsilon: c.epsilon, weightDecay: c.weightDecay)
        }
    }
}

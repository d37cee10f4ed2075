/// SGD with (heavy-ball) momentum μ, in the Keras form, with optional coupled L2 decay λ:
///
///   g' = g + λθ
///   v ← μ·v − η·g'
///   θ ← θ + v
///
/// (Equivalent to PyTorch's b ← μb + g', θ ← θ − ηb for a constant learning rate, v = −ηb.)
enum Momentum {
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                       velocity v: UnsafeMutablePointer<Float>, count: Int,
                       learningRate lr: Float, momentum mu: Float, weightDecay wd: Float) {
        for i in 0..<count {
            let gi = g[i] + wd * p[i]
            let vi = mu * v[i] - lr * gi
            v[i] = vi
            p[i] += vi
        }
    }
}

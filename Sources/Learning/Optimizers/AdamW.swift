/// AdamW (Loshchilov & Hutter 2019): Adam with DECOUPLED weight decay λ, in the Keras order —
/// decay first, then the plain Adam update (see `Adam.swift`) with the gradient unchanged:
///
///   θ ← θ − η·λ·θ
///   θ ← θ − η · m̂ / (√v̂ + ε)      (m, v from g, not from g + λθ)
enum AdamW {
    static func decay(_ p: UnsafeMutablePointer<Float>, count: Int, learningRate lr: Float, weightDecay wd: Float) {
        guard wd != 0 else { return }
        let k = lr * wd
        for i in 0..<count { p[i] -= k * p[i] }
    }
}

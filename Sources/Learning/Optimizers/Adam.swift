/// Adam (Kingma & Ba 2015, Algorithm 1, bias-corrected), with optional coupled L2 decay λ:
///
///   g' = g + λθ
///   m ← β₁·m + (1 − β₁)·g'
///   v ← β₂·v + (1 − β₂)·g'²
///   m̂ = m · c₁,  v̂ = v · c₂,   c₁ = 1/(1 − β₁ᵗ), c₂ = 1/(1 − β₂ᵗ)  (computed in Double, once per step)
///   θ ← θ − η · m̂ / (√v̂ + ε)
///
/// The loop is written so the compiler vectorises it, square root included: one pass, scalar
/// constants hoisted, raw pointers, no calls. The `.magnitude` before `.squareRoot()` is what
/// makes the sqrt vectorise: on Linux `squareRoot()` lowers to libm `sqrtf`, which may set
/// errno for negative inputs, so LLVM keeps a scalar call path and gives up on the loop (Adam
/// then runs ~3× slower). |x| is provably non-negative, so the call becomes `sqrtps`. v̂ ≥ 0
/// always, so |v̂| = v̂ (−0 → +0 gives the same update) and results are unchanged.
enum Adam {
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                       learningRate lr: Float, beta1: Float, beta2: Float, epsilon: Float,
                       correction1: Float, correction2: Float, weightDecay wd: Float) {
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        if wd == 0 {
            for i in 0..<count {
                let gi = g[i]
                let mi = beta1 * m[i] + oneMinusBeta1 * gi
                let vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi)
                m[i] = mi
                v[i] = vi
                p[i] -= lr * (mi * correction1) / ((vi * correction2).magnitude.squareRoot() + epsilon)
            }
        } else {
            for i in 0..<count {
                let gi = g[i] + wd * p[i]
                let mi = beta1 * m[i] + oneMinusBeta1 * gi
                let vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi)
                m[i] = mi
                v[i] = vi
                p[i] -= lr * (mi * correction1) / ((vi * correction2).magnitude.squareRoot() + epsilon)
            }
        }
    }
}

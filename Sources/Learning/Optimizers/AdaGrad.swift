/// AdaGrad (Duchi et al. 2011), Keras form, with optional coupled L2 decay λ:
///
///   g' = g + λθ
///   a ← a + g'²                   (a starts at `initialAccumulator`, 0.1)
///   θ ← θ − η · g' / (√a + ε)
///
/// `a.magnitude.squareRoot()` (a ≥ 0, so unchanged) lets the loop vectorise; see `Adam.swift`.
enum AdaGrad {
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                       accumulator a: UnsafeMutablePointer<Float>, count: Int,
                       learningRate lr: Float, epsilon: Float, weightDecay wd: Float) {
        for i in 0..<count {
            let gi = g[i] + wd * p[i]
            let ai = a[i] + gi * gi
            a[i] = ai
            p[i] -= lr * gi / (ai.magnitude.squareRoot() + epsilon)
        }
    }
}

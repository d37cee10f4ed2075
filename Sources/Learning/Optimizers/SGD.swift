/// Plain stochastic gradient descent with optional coupled L2 weight decay λ:
///
///   θ ← θ − η · (g + λθ)
enum SGD {
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, count: Int,
                       learningRate lr: Float, weightDecay wd: Float) {
        if wd == 0 {
            for i in 0..<count { p[i] -= lr * g[i] }
        } else {
            for i in 0..<count { p[i] -= lr * (g[i] + wd * p[i]) }
        }
    }
}

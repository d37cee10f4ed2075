/// Softmax cross-entropy of one example, in the numerically stable form.
///
/// With m = maxⱼ zⱼ and S = Σⱼ exp(zⱼ − m):
///   loss = log S − (z_y − m)              (= −log softmax(z)_y, never overflows: exp ≤ 1)
///   ∂loss/∂zⱼ = exp(zⱼ − m)/S − [j = y]   (softmax − one-hot)
/// The gradient written is multiplied by `scale` (1/batch for a batch mean).
enum SoftmaxCrossEntropy {
    static func example(_ z: UnsafePointer<Float>, label: Int32, classCount: Int,
                        gradient: UnsafeMutablePointer<Float>?, scale: Float) -> Double {
        let y = Int(label)
        guard y >= 0 && y < classCount else {
            if let gradient { gradient.update(repeating: .nan, count: classCount) }
            return .nan
        }
        var m = z[0]
        for j in 1..<classCount where z[j] > m { m = z[j] }
        var s: Float = 0
        if let gradient {
            for j in 0..<classCount {
                let e = mathExp(z[j] - m)
                gradient[j] = e
                s += e
            }
            let k = scale / s
            for j in 0..<classCount { gradient[j] *= k }
            gradient[y] -= scale
        } else {
            for j in 0..<classCount { s += mathExp(z[j] - m) }
        }
        return mathLog(Double(s)) - Double(z[y] - m)
    }
}

/// Combines per-worker mean gradients into the global-batch mean gradient:
///
///   out[i] = (Σ_k n_k · g_k[i]) / Σ_k n_k
///
/// summed left to right in the order given (worker-rank order). Float addition is not
/// associative, so the order is part of the result: the single-node reference trainer and the
/// server shard both call this one function with gradients in rank order, which makes
/// distributed sync training bit-identical to single-node training for the same N.
/// (Each element is ((n₀g₀ + n₁g₁) + n₂g₂ …) / N, rounded after every operation.)
public enum GradientCombiner {
    /// `gradients` must all have `out.count` elements and `exampleCounts` one count per gradient
    /// (callers validate lengths of anything received from the network). If the total count is
    /// 0 (or there are no gradients) `out` is set to zero.
    public static func combine(_ gradients: [UnsafeBufferPointer<Float>], exampleCounts: [Int],
                               into out: UnsafeMutableBufferPointer<Float>) {
        precondition(gradients.count == exampleCounts.count,
                     "\(gradients.count) gradients but \(exampleCounts.count) example counts")
        let n = out.count
        guard n > 0, let o = out.baseAddress else { return }
        let total = exampleCounts.reduce(0, +)
        guard total > 0, !gradients.isEmpty else {
            o.update(repeating: 0, count: n)
            return
        }
        for (k, gradient) in gradients.enumerated() {
            precondition(gradient.count == n, "gradient \(k) has \(gradient.count) elements, expected \(n)")
            guard let g = gradient.baseAddress else { continue }
            let weight = Float(exampleCounts[k])
            if k == 0 {
                for i in 0..<n { o[i] = weight * g[i] }
            } else {
                for i in 0..<n { o[i] += weight * g[i] }
            }
        }
        let divisor = Float(total)
        for i in 0..<n { o[i] /= divisor }
    }
}

/// Mean squared error of one example against its one-hot label (Keras `mean_squared_error`:
/// mean over the class axis).
///
///   loss = (1/C) Σⱼ (zⱼ − tⱼ)²,   tⱼ = [j = y]
///   ∂loss/∂zⱼ = (2/C)(zⱼ − tⱼ)
/// The gradient written is multiplied by `scale` (1/batch for a batch mean).
enum MeanSquaredError {
    static func example(_ z: UnsafePointer<Float>, label: Int32, classCount: Int,
                        gradient: UnsafeMutablePointer<Float>?, scale: Float) -> Double {
        let y = Int(label)
        guard y >= 0 && y < classCount else {
            if let gradient { gradient.update(repeating: .nan, count: classCount) }
            return .nan
        }
        var sum = 0.0
        let k = 2 * scale / Float(classCount)
        for j in 0..<classCount {
            let d = z[j] - (j == y ? 1 : 0)
            sum += Double(d) * Double(d)
            gradient?[j] = k * d
        }
        return sum / Double(classCount)
    }
}

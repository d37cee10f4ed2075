/// Fully connected layer on flat inputs, Keras layout.
///
/// Forward:  Y[B×out] = X[B×in] · W[in×out] + b   (one `sgemm`, bias pre-broadcast, β = 1)
/// Backward: ∂W = Xᵀ · ∂Y,  ∂b = Σ_rows ∂Y,  ∂X = ∂Y · Wᵀ
/// Parameters: weight [in, out] then bias [out].
public final class Dense: Layer {
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let inputSize: Int
    public let units: Int

    public init(inputSize: Int, units: Int) {
        self.inputSize = inputSize
        self.units = units
        inputShape = [inputSize]
        outputShape = [units]
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("dense.weight", [inputSize, units]), ("dense.bias", [units])]
    }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                                     generator: inout SeededGenerator) {
        let fanIn = Float(inputSize), fanOut = Float(units)
        let limit = heUniform ? (6 / fanIn).squareRoot() : (6 / (fanIn + fanOut)).squareRoot()
        fillUniform(parameters, weightCount: inputSize * units, limit: limit, generator: &generator)
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        parameters: UnsafePointer<Float>, batch: Int) {
        let w = parameters, b = parameters + inputSize * units
        broadcastRows(b, rows: batch, columns: units, into: output)
        BLAS.gemm(transposeA: false, transposeB: false, m: batch, n: units, k: inputSize,
                  a: input, lda: inputSize, b: w, ldb: units, beta: 1, c: output, ldc: units)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        let dw = parameterGradients, db = parameterGradients + inputSize * units
        BLAS.gemm(transposeA: true, transposeB: false, m: inputSize, n: units, k: batch,
                  a: input, lda: inputSize, b: dy, ldb: units, beta: 0, c: dw, ldc: units)
        columnSums(dy, rows: batch, columns: units, into: db)
        if let dx {
            BLAS.gemm(transposeA: false, transposeB: true, m: batch, n: inputSize, k: units,
                      a: dy, lda: units, b: parameters, ldb: units, beta: 0, c: dx, ldc: inputSize)
        }
    }
}

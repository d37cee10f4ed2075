/// 2-D convolution (cross-correlation, as in Keras), stride 1, NHWC, as im2col + one GEMM per batch.
///
/// im2col builds C[(n,oy,ox), (ky,kx,ci)] = X[n, oy+ky−padTop, ox+kx−padLeft, ci] (0 outside the
/// image), so the whole batch is one product with the weight viewed as a matrix:
///
/// Forward:  Y[(n,oy,ox), f] = C · W[(ky,kx,ci), f] + b[f]
/// Backward: ∂W = Cᵀ · ∂Y,  ∂b = Σ_rows ∂Y,  ∂C = ∂Y · Wᵀ,  ∂X = col2im(∂C) (overlaps summed)
///
/// Padding: `valid` → out = in − k + 1; `same` → out = in, padTop = ⌊(k−1)/2⌋ (TensorFlow rule).
/// Parameters: weight [k, k, cin, filters] then bias [filters].
/// The im2col matrix is kept from forward for ∂W, then reused in place for ∂C.
public final class Conv2D: Layer {
    public let height: Int, width: Int, channels: Int
    public let filters: Int, kernel: Int, padding: Padding
    public let outHeight: Int, outWidth: Int
    private let padTop: Int, padLeft: Int
    private let columns = FloatBuffer(capacity: 0)

    public init(height: Int, width: Int, channels: Int, filters: Int, kernel: Int, padding: Padding) {
        self.height = height
        self.width = width
        self.channels = channels
        self.filters = filters
        self.kernel = kernel
        self.padding = padding
        switch padding {
        case .valid:
            outHeight = max(0, height - kernel + 1)
            outWidth = max(0, width - kernel + 1)
            padTop = 0
            padLeft = 0
        case .same:
            outHeight = height
            outWidth = width
            padTop = (kernel - 1) / 2
            padLeft = (kernel - 1) / 2
        }
    }

    public var inputShape: [Int] { [height, width, channels] }
    public var outputShape: [Int] { [outHeight, outWidth, filters] }
    /// Length of one im2col row: k·k·cin.
    public var patchSize: Int { kernel * kernel * channels }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("conv.weight", [kernel, kernel, channels, filters]), ("conv.bias", [filters])]
    }

    /// Keras fans: fanIn = k·k·cin, fanOut = k·k·filters.
    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                                     generator: inout SeededGenerator) {
        let fanIn = Float(kernel * kernel * channels), fanOut = Float(kernel * kernel * filters)
        let limit = heUniform ? (6 / fanIn).squareRoot() : (6 / (fanIn + fanOut)).squareRoot()
        fillUniform(parameters, weightCount: patchSize * filters, limit: limit, generator: &generator)
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        parameters: UnsafePointer<Float>, batch: Int) {
        let rows = batch * outHeight * outWidth
        columns.reserve(rows * patchSize)
        im2col(input, batch: batch, into: columns.pointer)
        broadcastRows(parameters + patchSize * filters, rows: rows, columns: filters, into: output)
        BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: filters, k: patchSize,
                  a: columns.pointer, lda: patchSize, b: parameters, ldb: filters,
                  beta: 1, c: output, ldc: filters)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        let rows = batch * outHeight * outWidth
        let cols = columns.pointer
        BLAS.gemm(transposeA: true, transposeB: false, m: patchSize, n: filters, k: rows,
                  a: cols, lda: patchSize, b: dy, ldb: filters, beta: 0,
                  c: parameterGradients, ldc: filters)
        columnSums(dy, rows: rows, columns: filters, into: parameterGradients + patchSize * filters)
        guard let dx else { return }
        // ∂C overwrites the im2col matrix: it is no longer needed once ∂W is formed.
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: patchSize, k: filters,
                  a: dy, lda: filters, b: parameters, ldb: filters, beta: 0, c: cols, ldc: patchSize)
        col2im(cols, batch: batch, into: dx)
    }

    /// For one output column `ox`, the kernel columns kx ∈ [lo, hi) fall inside the image; for
    /// each kernel row the in-image part is one contiguous run of (hi−lo)·cin floats in NHWC.
    @inline(__always)
    private func kernelColumnRange(_ ox: Int) -> (x0: Int, lo: Int, hi: Int) {
        let x0 = ox - padLeft
        return (x0, max(0, -x0), min(kernel, width - x0))
    }

    private func im2col(_ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let c = channels, k = kernel, rowLength = k * c
        let imageSize = height * width * c
        var dst = out
        for n in 0..<batch {
            let image = x + n * imageSize
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let (x0, lo, hi) = kernelColumnRange(ox)
                    for ky in 0..<k {
                        let iy = oy - padTop + ky
                        if iy < 0 || iy >= height || lo >= hi {
                            for j in 0..<rowLength { dst[j] = 0 }
                        } else {
                            let head = lo * c, body = (hi - lo) * c
                            for j in 0..<head { dst[j] = 0 }
                            let src = image + (iy * width + x0 + lo) * c
                            let d = dst + head
                            for j in 0..<body { d[j] = src[j] }
                            for j in (head + body)..<rowLength { dst[j] = 0 }
                        }
                        dst += rowLength
                    }
                }
            }
        }
    }

    /// Adjoint of im2col: ∂X[n,iy,ix,ci] = Σ over the patches that read it of ∂C.
    private func col2im(_ cols: UnsafePointer<Float>, batch: Int, into dx: UnsafeMutablePointer<Float>) {
        let c = channels, k = kernel, rowLength = k * c
        let imageSize = height * width * c
        dx.update(repeating: 0, count: batch * imageSize)
        var src = cols
        for n in 0..<batch {
            let image = dx + n * imageSize
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let (x0, lo, hi) = kernelColumnRange(ox)
                    for ky in 0..<k {
                        let iy = oy - padTop + ky
                        if iy >= 0 && iy < height && lo < hi {
                            let body = (hi - lo) * c
                            let d = image + (iy * width + x0 + lo) * c
                            let s = src + lo * c
                            for j in 0..<body { d[j] += s[j] }
                        }
                        src += rowLength
                    }
                }
            }
        }
    }
}

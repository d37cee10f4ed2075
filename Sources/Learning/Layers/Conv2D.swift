/// 2-D convolution (cross-correlation, as in Keras), stride 1, NHWC, as im2col + one GEMM per batch.
///
/// im2col builds C[(n,oy,ox), (ky,kx,ci)] = X[n, oy+ky−padTop, ox+kx−padLeft, ci] (0 outside the
/// image), so the whole batch is one product with the weight viewed as a matrix:
///
/// Forward:  Y[(n,oy,ox), f] = C · W[(ky,kx,ci), f] + b[f]
/// Backward: ∂W = Cᵀ · ∂Y,  ∂b = Σ_rows ∂Y,  ∂C = ∂Y · Wᵀ,  ∂X = col2im(∂C) (overlaps summed)
///
/// The bias rides inside the GEMMs: C gets an extra column of ones, and in the flat parameter
/// vector b[f] directly follows W, so [W; b] is one (k·k·cin + 1) × filters matrix. Then
/// Y = [C 1]·[W; b] and [∂W; ∂b] = [C 1]ᵀ·∂Y are single GEMMs — no bias broadcast pass and no
/// column-sum pass over the (large) output.
///
/// Padding: `valid` → out = in − k + 1; `same` → out = in, padTop = ⌊(k−1)/2⌋ (TensorFlow rule).
/// Parameters: weight [k, k, cin, filters] then bias [filters].
/// The im2col matrix is kept from forward for ∂W, then reused in place for ∂C.
///
/// Single-channel inputs (the first layer on MNIST) use the transposed patch matrix Cᵀ
/// [(ky,kx), (n,oy,ox)] instead (see `Conv2D+SingleChannel.swift`): there a row of C is only
/// k·k floats gathered from k places, while a row of Cᵀ is a shifted copy of whole image rows,
/// which makes the gather ~3× cheaper; the GEMMs just swap their transpose flags.
public final class Conv2D: Layer {
    public let height: Int, width: Int, channels: Int
    public let filters: Int, kernel: Int, padding: Padding
    public let outHeight: Int, outWidth: Int
    let padTop: Int, padLeft: Int
    private let columns = FloatBuffer(capacity: 0)
    /// True when the patch matrix is stored transposed, Cᵀ [k·k·cin, rows] (single-channel input).
    public var usesTransposedPatches: Bool { channels == 1 }

    public init(height: Int, width: Int, channels: Int, filters: Int, kernel: Int, padding: Padding) {
        self.height = height
        self.width = width
        self.channels = channels
        self.filters = filters
        self.kernel = max(1, kernel)
        self.padding = padding
        switch padding {
        case .valid:
            outHeight = max(0, height - self.kernel + 1)
            outWidth = max(0, width - self.kernel + 1)
            padTop = 0
            padLeft = 0
        case .same:
            outHeight = height
            outWidth = width
            padTop = (self.kernel - 1) / 2
            padLeft = (self.kernel - 1) / 2
        }
    }

    public var inputShape: [Int] { [height, width, channels] }
    public var outputShape: [Int] { [outHeight, outWidth, filters] }
    /// Length of one im2col row without the ones column: k·k·cin.
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
        let augmented = patchSize + 1
        columns.reserve(rows * augmented)
        if usesTransposedPatches {
            im2colTransposed(input, batch: batch, into: columns.pointer)
            (columns.pointer + patchSize * rows).update(repeating: 1, count: rows)
            BLAS.gemm(transposeA: true, transposeB: false, m: rows, n: filters, k: augmented,
                      a: columns.pointer, lda: rows, b: parameters, ldb: filters,
                      beta: 0, c: output, ldc: filters)
        } else {
            im2col(input, batch: batch, into: columns.pointer)
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: filters, k: augmented,
                      a: columns.pointer, lda: augmented, b: parameters, ldb: filters,
                      beta: 0, c: output, ldc: filters)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        let rows = batch * outHeight * outWidth
        let augmented = patchSize + 1
        let cols = columns.pointer
        if usesTransposedPatches {
            // [∂W; ∂b] = [Cᵀ; 1ᵀ] · ∂Y
            BLAS.gemm(transposeA: false, transposeB: false, m: augmented, n: filters, k: rows,
                      a: cols, lda: rows, b: dy, ldb: filters, beta: 0,
                      c: parameterGradients, ldc: filters)
            guard let dx else { return }
            // ∂Cᵀ = W · ∂Yᵀ, in place of Cᵀ.
            BLAS.gemm(transposeA: false, transposeB: true, m: patchSize, n: rows, k: filters,
                      a: parameters, lda: filters, b: dy, ldb: filters, beta: 0, c: cols, ldc: rows)
            col2imTransposed(cols, batch: batch, into: dx)
            return
        }
        // [∂W; ∂b] = [C 1]ᵀ · ∂Y
        BLAS.gemm(transposeA: true, transposeB: false, m: augmented, n: filters, k: rows,
                  a: cols, lda: augmented, b: dy, ldb: filters, beta: 0,
                  c: parameterGradients, ldc: filters)
        guard let dx else { return }
        // ∂C overwrites the im2col matrix (its first k·k·cin columns): it is no longer needed.
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: patchSize, k: filters,
                  a: dy, lda: filters, b: parameters, ldb: filters, beta: 0, c: cols, ldc: augmented)
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
        if padding == .valid {
            // Every patch lies inside the image: each kernel row is one contiguous run.
            for n in 0..<batch {
                let image = x + n * imageSize
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        for ky in 0..<k {
                            copyFloats(dst, image + ((oy + ky) * width + ox) * c, rowLength)
                            dst += rowLength
                        }
                        dst[0] = 1
                        dst += 1
                    }
                }
            }
            return
        }
        for n in 0..<batch {
            let image = x + n * imageSize
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let (x0, lo, hi) = kernelColumnRange(ox)
                    for ky in 0..<k {
                        let iy = oy - padTop + ky
                        if iy < 0 || iy >= height || lo >= hi {
                            zeroFloats(dst, rowLength)
                        } else {
                            let head = lo * c, body = (hi - lo) * c
                            zeroFloats(dst, head)
                            copyFloats(dst + head, image + (iy * width + x0 + lo) * c, body)
                            zeroFloats(dst + head + body, rowLength - head - body)
                        }
                        dst += rowLength
                    }
                    dst[0] = 1
                    dst += 1
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
                    src += 1
                }
            }
        }
    }
}

/// Copies `count` floats, 4 at a time. Written with SIMD loads on purpose: a plain element loop
/// is turned into a `memmove` call, whose fixed cost dominates the short runs (3–200 floats)
/// of im2col.
@inline(__always)
private func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int) {
    var j = 0
    while j + 4 <= count {
        UnsafeMutableRawPointer(dst + j).storeBytes(of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD4<Float>.self),
                                                    as: SIMD4<Float>.self)
        j += 4
    }
    while j < count {
        dst[j] = src[j]
        j += 1
    }
}

@inline(__always)
private func zeroFloats(_ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    var j = 0
    while j + 4 <= count {
        UnsafeMutableRawPointer(dst + j).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self)
        j += 4
    }
    while j < count {
        dst[j] = 0
        j += 1
    }
}

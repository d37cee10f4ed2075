/// The transposed patch matrix for single-channel inputs:
///
///   Cᵀ[(ky,kx), (n,oy,ox)] = X[n, oy+ky−padTop, ox+kx−padLeft]   (0 outside the image)
///
/// For fixed (ky, kx, n, oy) the entries over ox are one contiguous run of the input row
/// iy = oy+ky−padTop, shifted by kx−padLeft, so the gather is a few long copies instead of
/// k·k scattered floats per output pixel. Used only when `channels == 1`.
extension Conv2D {
    /// For kernel column kx: the output columns ox ∈ [lo, hi) read inside the image, at input
    /// column ox + shift.
    @inline(__always)
    private func validColumns(_ kx: Int) -> (shift: Int, lo: Int, hi: Int) {
        let shift = kx - padLeft
        return (shift, max(0, -shift), min(outWidth, width - shift))
    }

    func im2colTransposed(_ x: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let k = kernel
        let rows = batch * outHeight * outWidth
        for ky in 0..<k {
            for kx in 0..<k {
                var dst = out + (ky * k + kx) * rows
                let (shift, lo, hi) = validColumns(kx)
                for n in 0..<batch {
                    let image = x + n * height * width
                    for oy in 0..<outHeight {
                        let iy = oy + ky - padTop
                        if iy < 0 || iy >= height || lo >= hi {
                            for j in 0..<outWidth { dst[j] = 0 }
                        } else {
                            let src = image + iy * width + shift
                            for j in 0..<lo { dst[j] = 0 }
                            for j in lo..<hi { dst[j] = src[j] }
                            for j in hi..<outWidth { dst[j] = 0 }
                        }
                        dst += outWidth
                    }
                }
            }
        }
    }

    /// Adjoint of `im2colTransposed`: ∂X[n,iy,ix] = Σ of the ∂Cᵀ entries that read it.
    func col2imTransposed(_ cols: UnsafePointer<Float>, batch: Int, into dx: UnsafeMutablePointer<Float>) {
        let k = kernel
        let rows = batch * outHeight * outWidth
        dx.update(repeating: 0, count: batch * height * width)
        for ky in 0..<k {
            for kx in 0..<k {
                var src = cols + (ky * k + kx) * rows
                let (shift, lo, hi) = validColumns(kx)
                for n in 0..<batch {
                    let image = dx + n * height * width
                    for oy in 0..<outHeight {
                        let iy = oy + ky - padTop
                        if iy >= 0 && iy < height && lo < hi {
                            let d = image + iy * width + shift
                            for j in lo..<hi { d[j] += src[j] }
                        }
                        src += outWidth
                    }
                }
            }
        }
    }
}

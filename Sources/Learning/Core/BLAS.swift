import COpenBLAS

/// The one file in `Learning` that calls OpenBLAS; every GEMM in the engine goes through here.
///
/// Why a wrapper: the C signatures take `Int32` sizes and C enums; keeping the conversion in one
/// place keeps layer code readable (`BLAS.gemm(...)` reads like the maths) and makes the
/// row-major convention impossible to get wrong per call site.
public enum BLAS {
    /// Sets the number of OpenBLAS threads for this process. Values below 1 are treated as 1.
    ///
    /// Why it matters: on small batches a second BLAS thread often costs more in synchronisation
    /// than it gains; when several SwiftPS roles share a host, cores ÷ local processes avoids
    /// oversubscription.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(clamping: max(1, n)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threads: Int {
        Int(openblas_get_num_threads())
    }

    /// Row-major single-precision GEMM: `C[m×n] = alpha · op(A) · op(B) + beta · C`,
    /// where `op(A)` is `m×k` (stored `k×m` when `transposeA`), `op(B)` is `k×n`.
    /// `lda`, `ldb`, `ldc` are the row strides of the matrices as stored.
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}

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
        let threads = Int32(clamping: max(1, n))
        openblas_set_num_threads(threads)
        configuredThreads = threads
    }

    /// What `setThreads` asked for (OpenBLAS's own count is lowered around skinny GEMMs).
    nonisolated(unsafe) private static var configuredThreads: Int32 = 0

    /// A GEMM with a side this short is split badly over threads (each thread gets a sliver)
    /// and wakes OpenBLAS's helper threads, which then spin against the single-threaded work
    /// around the call (im2col, pooling). Measured on the cnn's first conv (K = 10, and
    /// M = 10 in its weight gradient): with two threads the layer ran at 0.68 of bare sgemm
    /// and slower than with one; run single-threaded it is back at 0.9.
    static let skinnySide = 16

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
        let skinny = configuredThreads > 1 && min(m, n, k) <= skinnySide
        if skinny { openblas_set_num_threads(1) }
        defer { if skinny { openblas_set_num_threads(configuredThreads) } }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}

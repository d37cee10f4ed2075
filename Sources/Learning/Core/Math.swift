#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libm entry points used by losses and optimizers, in one place so the rest of the module
/// needs no platform imports. `Float.squareRoot()` is used for square roots instead, because
/// it lowers to an LLVM intrinsic the loop vectoriser understands.
@inline(__always) func mathExp(_ x: Float) -> Float { expf(x) }
@inline(__always) func mathLog(_ x: Double) -> Double { log(x) }
@inline(__always) func mathPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

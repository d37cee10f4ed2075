import XCTest
import Learning

/// Finite-difference machinery shared by the gradient tests.
///
/// For a layer we check the scalar L(x, θ) = Σᵢ rᵢ·yᵢ(x, θ) with a fixed random r: its exact
/// gradients are what `backward` returns for ∂L/∂y = r. Numeric gradients use central
/// differences (L(z+h) − L(z−h)) / 2h with L accumulated in Double. Agreement is measured as
/// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖), which must be ≤ `tolerance` (1e-2): loose
/// enough for Float rounding, far below the O(1) error of any real mistake.
enum GradientCheck {
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var diff = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            diff += d * d
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        let scale = max(na.squareRoot(), nb.squareRoot())
        return scale == 0 ? 0 : diff.squareRoot() / scale
    }

    static func uniform(_ count: Int, _ generator: inout SeededGenerator, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (2 * generator.nextUnitFloat() - 1) * scale }
    }

    /// Values ±(0.1 … 1.1) — away from ReLU's kink at 0 by far more than h.
    static func awayFromZero(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in
            let magnitude = 0.1 + generator.nextUnitFloat()
            return generator.nextUnitFloat() < 0.5 ? -magnitude : magnitude
        }
    }

    /// Distinct values spaced 0.01 apart in random order — no max-pool ties within h.
    static func distinct(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        generator.permutation(count).map { Float($0) * 0.01 - Float(count) * 0.005 }
    }

    static func weightedSum(_ layer: any Layer, _ x: [Float], _ theta: [Float], _ r: [Float], batch: Int) -> Double {
        var y = [Float](repeating: 0, count: batch * layer.outputCount)
        let p = theta.isEmpty ? [0] : theta
        x.withUnsafeBufferPointer { xb in
            p.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { yb in
                    layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: batch)
                }
            }
        }
        var s = 0.0
        for i in y.indices { s += Double(r[i]) * Double(y[i]) }
        return s
    }

    /// Analytic (∂L/∂x, ∂L/∂θ) from `backward` with ∂L/∂y = r.
    static func analytic(_ layer: any Layer, _ x: [Float], _ theta: [Float], _ r: [Float], batch: Int) -> ([Float], [Float]) {
        var y = [Float](repeating: 0, count: batch * layer.outputCount)
        var dx = [Float](repeating: .nan, count: x.count)
        var dtheta = [Float](repeating: .nan, count: max(1, theta.count))
        let p = theta.isEmpty ? [0] : theta
        x.withUnsafeBufferPointer { xb in
            p.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { yb in
                    layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: batch)
                    r.withUnsafeBufferPointer { rb in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            dtheta.withUnsafeMutableBufferPointer { db in
                                layer.backward(input: xb.baseAddress!, output: UnsafePointer(yb.baseAddress!),
                                               outputGradient: rb.baseAddress!, inputGradient: dxb.baseAddress!,
                                               parameters: pb.baseAddress!, parameterGradients: db.baseAddress!,
                                               batch: batch)
                            }
                        }
                    }
                }
            }
        }
        return (dx, theta.isEmpty ? [] : dtheta)
    }

    /// Checks ∂L/∂x and ∂L/∂θ of `layer` against central differences.
    static func checkLayer(_ layer: any Layer, batch: Int, input: [Float], seed: UInt64, h: Float = 1e-3,
                           tolerance: Double = 1e-2, file: StaticString = #filePath, line: UInt = #line) {
        var g = SeededGenerator(seed: seed)
        var theta = uniform(layer.parameterCount, &g, scale: 0.5)
        // Non-zero biases so the bias path is exercised.
        let r = uniform(batch * layer.outputCount, &g)
        let (dx, dtheta) = analytic(layer, input, theta, r, batch: batch)

        var x = input
        var numericX = [Float](repeating: 0, count: x.count)
        for i in x.indices {
            let saved = x[i]
            x[i] = saved + h
            let plus = weightedSum(layer, x, theta, r, batch: batch)
            x[i] = saved - h
            let minus = weightedSum(layer, x, theta, r, batch: batch)
            x[i] = saved
            numericX[i] = Float((plus - minus) / (2 * Double(h)))
        }
        let ex = relativeError(dx, numericX)
        XCTAssertLessThanOrEqual(ex, tolerance, "input gradient relative error", file: file, line: line)
        XCTAssertGreaterThan(numericX.map { abs($0) }.max() ?? 0, 0, "input gradient is trivially zero", file: file, line: line)

        guard !theta.isEmpty else { return }
        var numericTheta = [Float](repeating: 0, count: theta.count)
        for i in theta.indices {
            let saved = theta[i]
            theta[i] = saved + h
            let plus = weightedSum(layer, input, theta, r, batch: batch)
            theta[i] = saved - h
            let minus = weightedSum(layer, input, theta, r, batch: batch)
            theta[i] = saved
            numericTheta[i] = Float((plus - minus) / (2 * Double(h)))
        }
        let et = relativeError(dtheta, numericTheta)
        XCTAssertLessThanOrEqual(et, tolerance, "parameter gradient relative error", file: file, line: line)
    }
}

import XCTest
import Learning

/// Each optimizer's first steps against values computed by hand (the arithmetic is in the
/// comments; Python double precision was used to check it), θ₀ = 1, η = 0.1 unless stated.
final class OptimizerTests: XCTestCase {
    /// Runs `optimizer` on a one-element vector θ₀ = `start` with the gradients `gs`, returning θ after each step.
    private func trajectory(_ config: OptimizerConfig, start: Float = 1, _ gs: [Float]) -> [Float] {
        let opt = SliceOptimizer(config: config, count: 1)
        var theta: [Float] = [start]
        var out: [Float] = []
        for g in gs {
            let grad = [g]
            theta.withUnsafeMutableBufferPointer { p in
                grad.withUnsafeBufferPointer { opt.step(parameters: p, gradients: $0) }
            }
            out.append(theta[0])
        }
        XCTAssertEqual(opt.stepCount, gs.count)
        return out
    }

    private func assertClose(_ a: [Float], _ b: [Double], accuracy: Double = 1e-6,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(Double(x), y, accuracy: accuracy, file: file, line: line) }
    }

    func testSGDStepsMatchHandComputation() {
        // θ₁ = 1 − 0.1·0.5 = 0.95; θ₂ = 0.95 − 0.1·(−1) = 1.05; θ₃ = 1.05 − 0.1·0.25 = 1.025
        assertClose(trajectory(OptimizerConfig(kind: .sgd, learningRate: 0.1), [0.5, -1, 0.25]), [0.95, 1.05, 1.025])
    }

    func testSGDWithWeightDecayAddsL2TermToGradient() {
        // λ = 0.1: θ₁ = 1 − 0.1·(0.5 + 0.1·1) = 0.94; θ₂ = 0.94 − 0.1·(0.5 + 0.094) = 0.8806
        var c = OptimizerConfig(kind: .sgd, learningRate: 0.1)
        c.weightDecay = 0.1
        assertClose(trajectory(c, [0.5, 0.5]), [0.94, 0.8806])
    }

    func testMomentumStepsMatchHandComputation() {
        // μ = 0.9, g = 0.5: v₁ = −0.05, θ₁ = 0.95; v₂ = 0.9·(−0.05) − 0.05 = −0.095, θ₂ = 0.855;
        // v₃ = −0.0855 − 0.05 = −0.1355, θ₃ = 0.7195
        assertClose(trajectory(OptimizerConfig(kind: .momentum, learningRate: 0.1), [0.5, 0.5, 0.5]),
                    [0.95, 0.855, 0.7195])
    }

    func testNesterovStepsMatchHandComputation() {
        // μ = 0.9, g = 0.5: v₁ = −0.05, θ₁ = 1 + 0.9·(−0.05) − 0.05 = 0.905;
        // v₂ = −0.095, θ₂ = 0.905 + 0.9·(−0.095) − 0.05 = 0.7695;
        // v₃ = −0.1355, θ₃ = 0.7695 − 0.12195 − 0.05 = 0.59755
        assertClose(trajectory(OptimizerConfig(kind: .nesterov, learningRate: 0.1), [0.5, 0.5, 0.5]),
                    [0.905, 0.7695, 0.59755])
    }

    func testAdamStepsMatchHandComputation() {
        // β₁ = 0.9, β₂ = 0.999, ε = 1e-7, g = 0.5, −1, 0.25:
        // t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, θ₁ = 1 − 0.1·0.5/(0.5 + 1e-7) = 0.90000002
        // t=2: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975,
        //      m̂ = −0.055/0.19 = −0.28947368, v̂ = 0.00124975/0.001999 = 0.62518759,
        //      θ₂ = θ₁ + 0.1·0.28947368/0.79068823 = 0.93661037
        // t=3: m = −0.0495 + 0.025 = −0.0245, v = 0.00124850 + 0.0000625 = 0.00131100,
        //      m̂ = −0.0245/0.271 = −0.09040590, v̂ = 0.00131100/0.002997001 = 0.43743737,
        //      θ₃ = θ₂ + 0.1·0.09040590/0.66138972 = 0.95027943
        assertClose(trajectory(OptimizerConfig(kind: .adam, learningRate: 0.1), [0.5, -1, 0.25]),
                    [0.900000020, 0.936610368, 0.950279432])
    }

    func testAdamWDecaysWeightsBeforeTheAdamStep() {
        // λ = 0.004 (default): θ ← θ − 0.1·0.004·θ, then the Adam step of the test above:
        // θ₁ = 0.9996 − 0.09999998 = 0.89960002
        // θ₂ = 0.89960002·0.9996 + 0.1·0.28947368/0.79068823 = 0.93585053
        let c = OptimizerConfig(kind: .adamw, learningRate: 0.1)
        XCTAssertEqual(c.weightDecay, 0.004)
        assertClose(trajectory(c, [0.5, -1]), [0.899600020, 0.935850528])
    }

    func testAdaGradStepsMatchHandComputation() {
        // a₀ = 0.1, ε = 1e-7: a₁ = 0.35, θ₁ = 1 − 0.1·0.5/√0.35 = 0.91548459;
        // a₂ = 1.35, θ₂ = θ₁ + 0.1/√1.35 = 1.00155088; a₃ = 1.4125, θ₃ = θ₂ − 0.025/√1.4125 = 0.98051572
        assertClose(trajectory(OptimizerConfig(kind: .adagrad, learningRate: 0.1), [0.5, -1, 0.25]),
                    [0.915484589, 1.001550878, 0.980515722])
    }

    func testSliceOptimizerIsBitIdenticalToFullVectorOptimizerOnItsElements() {
        // A shard owning [lo, hi) must produce exactly the bits the single-node trainer produces.
        // lo is odd so the slice is misaligned relative to the full vector's vector lanes.
        let (n, lo, hi) = (1_001, 137, 611)
        for kind in OptimizerKind.allCases {
            var config = OptimizerConfig(kind: kind, learningRate: 0.01)
            if kind != .adamw { config.weightDecay = kind == .sgd ? 0.01 : 0 }
            var g = SeededGenerator(seed: 42)
            var full = GradientCheck.uniform(n, &g)
            var part = Array(full[lo..<hi])
            let fullOpt = SliceOptimizer(config: config, count: n)
            let partOpt = SliceOptimizer(config: config, count: hi - lo)
            for _ in 0..<3 {
                let grad = GradientCheck.uniform(n, &g)
                let gradPart = Array(grad[lo..<hi])
                full.withUnsafeMutableBufferPointer { p in grad.withUnsafeBufferPointer { fullOpt.step(parameters: p, gradients: $0) } }
                part.withUnsafeMutableBufferPointer { p in gradPart.withUnsafeBufferPointer { partOpt.step(parameters: p, gradients: $0) } }
            }
            XCTAssertEqual(full[lo..<hi].map(\.bitPattern), part.map(\.bitPattern), "\(kind)")
            for name in fullOpt.stateNames {
                let a = fullOpt.state(name).map { Array($0[lo..<hi]).map(\.bitPattern) }
                let b = partOpt.state(name).map { Array($0).map(\.bitPattern) }
                XCTAssertEqual(a, b, "\(kind) state \(name)")
            }
        }
    }

    func testOptimizerStateCanBeSavedAndRestoredToContinueIdentically() {
        var g = SeededGenerator(seed: 7)
        let n = 33
        let grads = (0..<4).map { _ in GradientCheck.uniform(n, &g) }
        let start = GradientCheck.uniform(n, &g)
        for kind in OptimizerKind.allCases {
            let config = OptimizerConfig(kind: kind, learningRate: 0.05)
            let a = SliceOptimizer(config: config, count: n)
            var pa = start
            for grad in grads {
                pa.withUnsafeMutableBufferPointer { p in grad.withUnsafeBufferPointer { a.step(parameters: p, gradients: $0) } }
            }
            // Same run, but checkpoint after two steps into a fresh optimizer.
            let b1 = SliceOptimizer(config: config, count: n)
            var pb = start
            for grad in grads[0..<2] {
                pb.withUnsafeMutableBufferPointer { p in grad.withUnsafeBufferPointer { b1.step(parameters: p, gradients: $0) } }
            }
            let saved = b1.stateNames.map { Array(b1.state($0)!) }
            let b2 = SliceOptimizer(config: config, count: n)
            for (name, values) in zip(b2.stateNames, saved) {
                let dst = b2.state(name)!
                for i in 0..<n { dst[i] = values[i] }
            }
            b2.restore(stepCount: b1.stepCount)
            for grad in grads[2...] {
                pb.withUnsafeMutableBufferPointer { p in grad.withUnsafeBufferPointer { b2.step(parameters: p, gradients: $0) } }
            }
            XCTAssertEqual(pa.map(\.bitPattern), pb.map(\.bitPattern), "\(kind)")
        }
    }

    func testStateNamesPerOptimizer() {
        XCTAssertEqual(SliceOptimizer(config: .init(kind: .sgd, learningRate: 1), count: 2).stateNames, [])
        XCTAssertEqual(SliceOptimizer(config: .init(kind: .momentum, learningRate: 1), count: 2).stateNames, ["velocity"])
        XCTAssertEqual(SliceOptimizer(config: .init(kind: .adam, learningRate: 1), count: 2).stateNames, ["m", "v"])
        let adagrad = SliceOptimizer(config: .init(kind: .adagrad, learningRate: 1), count: 2)
        XCTAssertEqual(adagrad.stateNames, ["accumulator"])
        XCTAssertEqual(adagrad.state("accumulator").map(Array.init), [0.1, 0.1])
        XCTAssertNil(adagrad.state("m"))
    }
}

import XCTest
import Learning

/// Whole-network gradients (parameters and inputs) against central differences of the
/// network's own mean loss.
final class NetworkGradientTests: XCTestCase {
    private func checkNetwork(_ specText: String, inputShape: [Int], classes: Int, loss: Loss, batch: Int,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let net = try Network(spec: ModelSpec(parsing: specText), inputShape: inputShape, classCount: classes,
                              loss: loss, maxBatch: batch)
        net.initializeParameters(seed: 99)
        // Non-zero biases, so every parameter matters.
        var g = SeededGenerator(seed: 5)
        for t in net.parameterTensors where t.name.hasSuffix("bias") {
            for i in t.offset..<(t.offset + t.count) { net.parameters[i] = 0.2 * (2 * g.nextUnitFloat() - 1) }
        }
        var x = GradientCheck.uniform(batch * net.inputCount, &g)
        let labels: [Int32] = (0..<batch).map { Int32($0 % classes) }
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xb in
            labels.withUnsafeBufferPointer { lb in
                dx.withUnsafeMutableBufferPointer { db in
                    net.forward(inputs: xb.baseAddress!, batch: batch)
                    net.backward(inputs: xb.baseAddress!, labels: lb.baseAddress!, batch: batch,
                                 inputGradient: db.baseAddress!)
                }
            }
        }
        let analyticTheta = Array(net.gradients)
        func meanLoss(_ x: [Float]) -> Double {
            let r = x.withUnsafeBufferPointer { xb in
                labels.withUnsafeBufferPointer { lb in
                    net.evaluate(inputs: xb.baseAddress!, labels: lb.baseAddress!, batch: batch)
                }
            }
            return r.lossSum / Double(batch)
        }
        let h: Float = 1e-3
        var numericTheta = [Float](repeating: 0, count: net.parameterCount)
        for i in 0..<net.parameterCount {
            let saved = net.parameters[i]
            net.parameters[i] = saved + h
            let plus = meanLoss(x)
            net.parameters[i] = saved - h
            let minus = meanLoss(x)
            net.parameters[i] = saved
            numericTheta[i] = Float((plus - minus) / (2 * Double(h)))
        }
        var numericX = [Float](repeating: 0, count: x.count)
        for i in x.indices {
            let saved = x[i]
            x[i] = saved + h
            let plus = meanLoss(x)
            x[i] = saved - h
            let minus = meanLoss(x)
            x[i] = saved
            numericX[i] = Float((plus - minus) / (2 * Double(h)))
        }
        XCTAssertLessThanOrEqual(GradientCheck.relativeError(analyticTheta, numericTheta), 1e-2,
                                 "parameter gradients", file: file, line: line)
        XCTAssertLessThanOrEqual(GradientCheck.relativeError(dx, numericX), 1e-2,
                                 "input gradients", file: file, line: line)
    }

    func testSmallConvNetGradientsMatchFiniteDifferences() throws {
        try checkNetwork("conv(3,3,same) relu maxpool(2) conv(4,2) relu flatten dense(5) relu dense(3)",
                         inputShape: [6, 6, 2], classes: 3, loss: .softmaxCrossEntropy, batch: 3)
    }

    func testSmallMLPWithMeanSquaredErrorGradientsMatchFiniteDifferences() throws {
        try checkNetwork("dense(6) relu dense(4)", inputShape: [5], classes: 4, loss: .meanSquaredError, batch: 4)
    }

    func testLossAndGradientOverwritesGradients() throws {
        let net = try Network(spec: ModelSpec(parsing: "dense(3)"), inputShape: [2], classCount: 3, maxBatch: 2)
        net.initializeParameters(seed: 1)
        let x: [Float] = [1, 2, 3, 4]
        let labels: [Int32] = [0, 2]
        func run() -> [Float] {
            _ = x.withUnsafeBufferPointer { xb in
                labels.withUnsafeBufferPointer { lb in
                    net.lossAndGradient(inputs: xb.baseAddress!, labels: lb.baseAddress!, batch: 2)
                }
            }
            return Array(net.gradients)
        }
        let first = run()
        let second = run()
        XCTAssertEqual(first, second, "gradients must be overwritten, not accumulated")
    }

    func testEvaluateOfAWholeTestSetRunsInChunksAndMatchesPerChunkResults() throws {
        // maxBatch 4, 10 examples: evaluate must chunk (4, 4, 2) and agree with separate calls.
        let net = try Network(spec: ModelSpec(parsing: "dense(5) relu dense(3)"), inputShape: [2], classCount: 3, maxBatch: 4)
        net.initializeParameters(seed: 8)
        var g = SeededGenerator(seed: 9)
        let x = GradientCheck.uniform(10 * 2, &g)
        let y: [Int32] = (0..<10).map { Int32($0 % 3) }
        let whole = net.evaluate(inputs: x, labels: y, batch: 10)
        var lossSum = 0.0, correct = 0
        for start in stride(from: 0, to: 10, by: 4) {
            let n = min(4, 10 - start)
            let part = x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { net.evaluate(inputs: xb.baseAddress! + start * 2, labels: $0.baseAddress! + start, batch: n) }
            }
            lossSum += part.lossSum
            correct += part.correct
        }
        XCTAssertEqual(whole.lossSum, lossSum, accuracy: 1e-9)
        XCTAssertEqual(whole.correct, correct)
        XCTAssertEqual(net.logits(inputs: x, batch: 10).shape, [10, 3])
    }

    func testBatchLargerThanMaxBatchGrowsBuffersAndMatchesSmallBatches() throws {
        // A training batch beyond maxBatch reallocates once; outputs equal per-example ones.
        let net = try Network(spec: ModelSpec(parsing: "dense(4) relu dense(2)"), inputShape: [3], classCount: 2, maxBatch: 1)
        net.initializeParameters(seed: 3)
        var g = SeededGenerator(seed: 4)
        let x = GradientCheck.uniform(5 * 3, &g)
        let y: [Int32] = [0, 1, 1, 0, 1]
        let single = (0..<5).map { n in x.withUnsafeBufferPointer { net.logits(inputs: $0.baseAddress! + n * 3, batch: 1) } }
        let loss = net.lossAndGradient(inputs: x, labels: y, batch: 5)
        XCTAssertTrue(loss.isFinite)
        let big = net.logits(inputs: x, batch: 5)
        XCTAssertEqual(big.shape, [5, 2])
        for n in 0..<5 {
            for j in 0..<2 { XCTAssertEqual(big.scalars[n * 2 + j], single[n].scalars[j], accuracy: 1e-6) }
        }
    }

    func testReLUMaxPoolPairRunsAsMaxPoolReLUWithIdenticalOutputsAndGradients() throws {
        // The network reorders `relu maxpool` (cheaper, mathematically identical). Check it
        // against the layers run by hand in spec order, bit for bit.
        let spec = try ModelSpec(parsing: "conv(4,3) relu maxpool(2) flatten dense(3)")
        let net = try Network(spec: spec, inputShape: [6, 6, 2], classCount: 3, maxBatch: 4)
        XCTAssertTrue(net.layers[1] is MaxPool2D && net.layers[2] is ReLU)
        net.initializeParameters(seed: 12)
        var g = SeededGenerator(seed: 13)
        let x = GradientCheck.uniform(4 * 72, &g)
        let y: [Int32] = [0, 1, 2, 1]
        let loss = net.lossAndGradient(inputs: x, labels: y, batch: 4)
        let networkGradients = Array(net.gradients)

        let conv = Conv2D(height: 6, width: 6, channels: 2, filters: 4, kernel: 3, padding: .valid)
        let relu = ReLU(shape: [4, 4, 4]), pool = MaxPool2D(height: 4, width: 4, channels: 4, size: 2)
        let dense = Dense(inputSize: 16, units: 3)
        let theta = Array(net.parameters)
        var a1 = [Float](repeating: 0, count: 4 * 64), a2 = a1, a3 = [Float](repeating: 0, count: 4 * 16)
        var z = [Float](repeating: 0, count: 12), dz = z
        var d3 = a3, d2 = a1, d1 = a1
        var grads = [Float](repeating: 0, count: theta.count)
        let denseOffset = conv.parameterCount
        let manualLoss: Float = theta.withUnsafeBufferPointer { p in
            grads.withUnsafeMutableBufferPointer { gp in
                let p0 = p.baseAddress!, g0 = gp.baseAddress!
                conv.forward(input: x, output: &a1, parameters: p0, batch: 4)
                relu.forward(input: a1, output: &a2, parameters: p0, batch: 4)
                pool.forward(input: a2, output: &a3, parameters: p0, batch: 4)
                dense.forward(input: a3, output: &z, parameters: p0 + denseOffset, batch: 4)
                let value = Loss.softmaxCrossEntropy.value(logits: z, labels: y, batch: 4, classCount: 3, gradient: &dz)
                dense.backward(input: a3, output: z, outputGradient: dz, inputGradient: &d3,
                               parameters: p0 + denseOffset, parameterGradients: g0 + denseOffset, batch: 4)
                pool.backward(input: a2, output: a3, outputGradient: d3, inputGradient: &d2,
                              parameters: p0, parameterGradients: g0, batch: 4)
                relu.backward(input: a1, output: a2, outputGradient: d2, inputGradient: &d1,
                              parameters: p0, parameterGradients: g0, batch: 4)
                conv.backward(input: x, output: a1, outputGradient: d1, inputGradient: nil,
                              parameters: p0, parameterGradients: g0, batch: 4)
                return value
            }
        }
        XCTAssertEqual(loss.bitPattern, manualLoss.bitPattern)
        XCTAssertEqual(networkGradients.map(\.bitPattern), grads.map(\.bitPattern))
        XCTAssertTrue(a1.contains { $0 < 0 }, "some pre-activations must be negative for the test to mean anything")
    }
}

import XCTest
import Learning

/// End-to-end: the engine actually learns.
final class LearningTests: XCTestCase {
    /// Two Gaussian-ish blobs in 2-D around (+1, +1) and (−1, −1), labels 0 and 1.
    private func blobs(_ n: Int, seed: UInt64) -> ([Float], [Int32]) {
        var g = SeededGenerator(seed: seed)
        var x: [Float] = []
        var y: [Int32] = []
        for i in 0..<n {
            let label = Int32(i % 2)
            let center: Float = label == 0 ? 1 : -1
            x.append(center + 0.6 * (2 * g.nextUnitFloat() - 1))
            x.append(center + 0.6 * (2 * g.nextUnitFloat() - 1))
            y.append(label)
        }
        return (x, y)
    }

    private func train(_ specText: String, loss: Loss, optimizer: OptimizerKind, lr: Float, steps: Int) throws -> (Float, Int) {
        let (x, y) = blobs(64, seed: 1)
        let net = try Network(spec: ModelSpec(parsing: specText), inputShape: [2], classCount: 2, loss: loss, maxBatch: 16)
        net.initializeParameters(seed: 2)
        let opt = SliceOptimizer(config: OptimizerConfig(kind: optimizer, learningRate: lr), count: net.parameterCount)
        var lastLoss: Float = .nan
        for step in 0..<steps {
            let start = (step * 16) % 64
            lastLoss = x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    net.lossAndGradient(inputs: xb.baseAddress! + start * 2, labels: yb.baseAddress! + start, batch: 16)
                }
            }
            opt.step(parameters: net.parameters, gradients: UnsafeBufferPointer(net.gradients))
        }
        let (tx, ty) = blobs(200, seed: 3)
        let result = tx.withUnsafeBufferPointer { xb in
            ty.withUnsafeBufferPointer { yb in net.evaluate(inputs: xb.baseAddress!, labels: yb.baseAddress!, batch: 200) }
        }
        return (lastLoss, result.correct)
    }

    func testSmallMLPSeparatesTwoBlobsPerfectlyWithinAFewHundredSteps() throws {
        let (loss, correct) = try train("dense(8) relu dense(2)", loss: .softmaxCrossEntropy, optimizer: .sgd, lr: 0.1, steps: 300)
        XCTAssertEqual(correct, 200)
        XCTAssertLessThan(loss, 0.1)
    }

    func testEveryOptimizerLearnsTheBlobs() throws {
        for kind in OptimizerKind.allCases {
            let lr: Float = [.sgd, .momentum, .nesterov, .adagrad].contains(kind) ? 0.05 : 0.01
            let (_, correct) = try train("dense(8) relu dense(2)", loss: .softmaxCrossEntropy, optimizer: kind, lr: lr, steps: 300)
            XCTAssertEqual(correct, 200, "\(kind)")
        }
    }

    func testMeanSquaredErrorTrainingSeparatesTheBlobs() throws {
        let (_, correct) = try train("dense(8) relu dense(2)", loss: .meanSquaredError, optimizer: .sgd, lr: 0.1, steps: 300)
        XCTAssertEqual(correct, 200)
    }

    func testTinyConvNetLearnsToTellVerticalFromHorizontalBars() throws {
        // 6×6 images with one bright row (class 0) or column (class 1) plus noise.
        var g = SeededGenerator(seed: 9)
        func sample(_ n: Int) -> ([Float], [Int32]) {
            var x = [Float](), y = [Int32]()
            for i in 0..<n {
                let label = Int32(i % 2), k = g.nextInt(below: 6)
                for r in 0..<6 {
                    for c in 0..<6 {
                        let on = label == 0 ? r == k : c == k
                        x.append((on ? 1 : 0) + 0.2 * g.nextUnitFloat())
                    }
                }
                y.append(label)
            }
            return (x, y)
        }
        let (x, y) = sample(256), (tx, ty) = sample(100)
        let net = try Network(spec: ModelSpec(parsing: "conv(4,3,same) relu maxpool(2) flatten dense(2)"),
                              inputShape: [6, 6, 1], classCount: 2, maxBatch: 32)
        net.initializeParameters(seed: 4)
        let opt = SliceOptimizer(config: OptimizerConfig(kind: .adam, learningRate: 0.01), count: net.parameterCount)
        for step in 0..<200 {
            let start = (step * 32) % 256
            _ = x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    net.lossAndGradient(inputs: xb.baseAddress! + start * 36, labels: yb.baseAddress! + start, batch: 32)
                }
            }
            opt.step(parameters: net.parameters, gradients: UnsafeBufferPointer(net.gradients))
        }
        let r = tx.withUnsafeBufferPointer { xb in ty.withUnsafeBufferPointer { net.evaluate(inputs: xb.baseAddress!, labels: $0.baseAddress!, batch: 100) } }
        XCTAssertGreaterThanOrEqual(r.correct, 98)
    }
}

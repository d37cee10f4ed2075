import Foundation
import XCTest
import Learning

final class LossGradientTests: XCTestCase {
    private func check(_ loss: Loss, file: StaticString = #filePath, line: UInt = #line) {
        let (batch, classes) = (4, 5)
        var g = SeededGenerator(seed: 21)
        var z = GradientCheck.uniform(batch * classes, &g, scale: 3)
        let labels: [Int32] = [0, 4, 2, 2]
        var analytic = [Float](repeating: 0, count: z.count)
        _ = z.withUnsafeBufferPointer { zb in
            labels.withUnsafeBufferPointer { lb in
                analytic.withUnsafeMutableBufferPointer { ab in
                    loss.value(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: batch, classCount: classes,
                               gradient: ab.baseAddress!)
                }
            }
        }
        func value(_ z: [Float]) -> Double {
            // Sum of per-example losses (Double) / batch: the mean the gradient refers to.
            z.withUnsafeBufferPointer { zb in
                labels.withUnsafeBufferPointer { lb in
                    loss.sum(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: batch, classCount: classes)
                }
            } / Double(batch)
        }
        let h: Float = 1e-3
        var numeric = [Float](repeating: 0, count: z.count)
        for i in z.indices {
            let saved = z[i]
            z[i] = saved + h
            let plus = value(z)
            z[i] = saved - h
            let minus = value(z)
            z[i] = saved
            numeric[i] = Float((plus - minus) / (2 * Double(h)))
        }
        XCTAssertLessThanOrEqual(GradientCheck.relativeError(analytic, numeric), 1e-2, file: file, line: line)
    }

    func testSoftmaxCrossEntropyGradientMatchesFiniteDifferences() {
        check(.softmaxCrossEntropy)
    }

    func testMeanSquaredErrorGradientMatchesFiniteDifferences() {
        check(.meanSquaredError)
    }

    func testSoftmaxCrossEntropyIsStableForHugeLogits() {
        // log-sum-exp with the max subtracted: exp never sees +1000.
        let z: [Float] = [1000, 0, -1000]
        let labels: [Int32] = [1]
        var grad = [Float](repeating: 0, count: 3)
        let value = z.withUnsafeBufferPointer { zb in
            labels.withUnsafeBufferPointer { lb in
                grad.withUnsafeMutableBufferPointer { gb in
                    Loss.softmaxCrossEntropy.value(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: 1,
                                                   classCount: 3, gradient: gb.baseAddress!)
                }
            }
        }
        XCTAssertEqual(value, 1000, accuracy: 1e-3)
        XCTAssertEqual(grad, [1, -1, 0])
    }

    func testSoftmaxCrossEntropyOfUniformLogitsIsLogClassCount() {
        let z = [Float](repeating: 0.5, count: 10)
        let labels: [Int32] = [3]
        let value = z.withUnsafeBufferPointer { zb in
            labels.withUnsafeBufferPointer { lb in
                Loss.softmaxCrossEntropy.value(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: 1,
                                               classCount: 10, gradient: nil)
            }
        }
        XCTAssertEqual(Double(value), log(10.0), accuracy: 1e-6)
    }

    func testMeanSquaredErrorIsMeanOverClassesAgainstOneHot() {
        // z = [0.5, 0.5], label 0: ((0.5−1)² + 0.5²) / 2 = 0.25; ∂ = (2/2)(z − t) = [−0.5, 0.5].
        let z: [Float] = [0.5, 0.5]
        let labels: [Int32] = [0]
        var grad: [Float] = [0, 0]
        let value = z.withUnsafeBufferPointer { zb in
            labels.withUnsafeBufferPointer { lb in
                grad.withUnsafeMutableBufferPointer { gb in
                    Loss.meanSquaredError.value(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: 1,
                                                classCount: 2, gradient: gb.baseAddress!)
                }
            }
        }
        XCTAssertEqual(value, 0.25)
        XCTAssertEqual(grad, [-0.5, 0.5])
    }

    func testOutOfRangeLabelGivesNaNLossInsteadOfReadingOutOfBounds() {
        let z: [Float] = [0.1, 0.2, 0.3]
        for label: Int32 in [-1, 3, 1000] {
            let labels = [label]
            var grad: [Float] = [0, 0, 0]
            for loss in [Loss.softmaxCrossEntropy, .meanSquaredError] {
                let value = z.withUnsafeBufferPointer { zb in
                    labels.withUnsafeBufferPointer { lb in
                        grad.withUnsafeMutableBufferPointer { gb in
                            loss.value(logits: zb.baseAddress!, labels: lb.baseAddress!, batch: 1,
                                       classCount: 3, gradient: gb.baseAddress!)
                        }
                    }
                }
                XCTAssertTrue(value.isNaN, "\(loss) label \(label)")
                XCTAssertTrue(grad.allSatisfy(\.isNaN))
            }
        }
    }
}

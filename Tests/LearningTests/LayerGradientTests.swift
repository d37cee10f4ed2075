import XCTest
import Learning

/// Every layer's backward pass against central finite differences (see `GradientCheck`).
final class LayerGradientTests: XCTestCase {
    func testDenseGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 1)
        let layer = Dense(inputSize: 7, units: 5)
        GradientCheck.checkLayer(layer, batch: 3, input: GradientCheck.uniform(3 * 7, &g), seed: 11)
    }

    func testConv2DValidPaddingGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 2)
        let layer = Conv2D(height: 5, width: 6, channels: 2, filters: 3, kernel: 3, padding: .valid)
        XCTAssertEqual(layer.outputShape, [3, 4, 3])
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(2 * 5 * 6 * 2, &g), seed: 12)
    }

    func testSingleChannelConv2DValidPaddingGradientMatchesFiniteDifferences() {
        // channels == 1 takes the transposed-patch path.
        var g = SeededGenerator(seed: 22)
        let layer = Conv2D(height: 6, width: 5, channels: 1, filters: 3, kernel: 3, padding: .valid)
        XCTAssertTrue(layer.usesTransposedPatches)
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(2 * 6 * 5, &g), seed: 23)
    }

    func testSingleChannelConv2DSamePaddingGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 24)
        let layer = Conv2D(height: 5, width: 6, channels: 1, filters: 2, kernel: 3, padding: .same)
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(2 * 5 * 6, &g), seed: 25)
    }

    func testConv2DSamePaddingGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 3)
        let layer = Conv2D(height: 5, width: 4, channels: 2, filters: 3, kernel: 3, padding: .same)
        XCTAssertEqual(layer.outputShape, [5, 4, 3])
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(2 * 5 * 4 * 2, &g), seed: 13)
    }

    func testConv2DSamePaddingWithEvenKernelGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 4)
        let layer = Conv2D(height: 4, width: 5, channels: 1, filters: 2, kernel: 2, padding: .same)
        XCTAssertEqual(layer.outputShape, [4, 5, 2])
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(2 * 4 * 5, &g), seed: 14)
    }

    func testMaxPool2DGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 5)
        // 5×5 input: the last row and column do not fill a 2×2 window and get zero gradient.
        // 6 channels: 4 take the SIMD path, 2 the scalar tail.
        let layer = MaxPool2D(height: 5, width: 5, channels: 6, size: 2)
        XCTAssertEqual(layer.outputShape, [2, 2, 6])
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.distinct(2 * 5 * 5 * 6, &g), seed: 15)
    }

    func testReLUGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 6)
        let layer = ReLU(shape: [3, 2, 2])
        GradientCheck.checkLayer(layer, batch: 3, input: GradientCheck.awayFromZero(3 * 12, &g), seed: 16)
    }

    func testFlattenGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 7)
        let layer = Flatten(inputShape: [2, 3, 2])
        XCTAssertEqual(layer.outputShape, [12])
        GradientCheck.checkLayer(layer, batch: 2, input: GradientCheck.uniform(24, &g), seed: 17)
    }

    func testConv2DForwardMatchesDirectConvolution() {
        // A direct NHWC cross-correlation, written naively, against the im2col + GEMM path.
        var g = SeededGenerator(seed: 8)
        let (h, w, f, k) = (5, 4, 3, 3)
        for cin in [1, 2] { for padding in [Padding.valid, .same] {
            let layer = Conv2D(height: h, width: w, channels: cin, filters: f, kernel: k, padding: padding)
            let x = GradientCheck.uniform(h * w * cin, &g)
            let theta = GradientCheck.uniform(layer.parameterCount, &g)
            var y = [Float](repeating: 0, count: layer.outputCount)
            x.withUnsafeBufferPointer { xb in
                theta.withUnsafeBufferPointer { pb in
                    y.withUnsafeMutableBufferPointer { yb in
                        layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: 1)
                    }
                }
            }
            let pad = padding == .same ? (k - 1) / 2 : 0
            for oy in 0..<layer.outHeight {
                for ox in 0..<layer.outWidth {
                    for o in 0..<f {
                        var s = Double(theta[k * k * cin * f + o])
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let iy = oy + ky - pad, ix = ox + kx - pad
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                for c in 0..<cin {
                                    s += Double(x[(iy * w + ix) * cin + c]) * Double(theta[((ky * k + kx) * cin + c) * f + o])
                                }
                            }
                        }
                        XCTAssertEqual(Double(y[(oy * layer.outWidth + ox) * f + o]), s, accuracy: 1e-5, "\(padding) cin \(cin)")
                    }
                }
            }
        } }
    }

    func testMaxPool2DSIMDAndScalarChannelsAgreeAndTiesGoToTheFirstPosition() {
        // 5 channels (4 SIMD lanes + 1 scalar) holding the same data must pool identically;
        // an all-equal window routes the gradient to its first (top-left) element.
        let layer = MaxPool2D(height: 2, width: 2, channels: 5, size: 2)
        var g = SeededGenerator(seed: 10)
        let pixels = GradientCheck.uniform(4, &g)
        var x = [Float]()
        for v in pixels { x += [Float](repeating: v, count: 5) }
        var y = [Float](repeating: 0, count: 5)
        var dx = [Float](repeating: 0, count: 20)
        let dy: [Float] = [1, 1, 1, 1, 1]
        let p: [Float] = [0]
        x.withUnsafeBufferPointer { xb in
            p.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { yb in
                    layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: 1)
                    dy.withUnsafeBufferPointer { db in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            layer.backward(input: xb.baseAddress!, output: UnsafePointer(yb.baseAddress!),
                                           outputGradient: db.baseAddress!, inputGradient: dxb.baseAddress!,
                                           parameters: pb.baseAddress!, parameterGradients: UnsafeMutablePointer(mutating: pb.baseAddress!),
                                           batch: 1)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(y, [Float](repeating: pixels.max()!, count: 5))
        let winner = pixels.firstIndex(of: pixels.max()!)!
        for pixel in 0..<4 {
            XCTAssertEqual(Array(dx[(pixel * 5)..<(pixel * 5 + 5)]), [Float](repeating: pixel == winner ? 1 : 0, count: 5))
        }

        // Ties: all four positions equal → the first one wins in every lane.
        let tie = [Float](repeating: 0.5, count: 20)
        dx = [Float](repeating: 0, count: 20)
        tie.withUnsafeBufferPointer { xb in
            p.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { yb in
                    layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: 1)
                    dy.withUnsafeBufferPointer { db in
                        dx.withUnsafeMutableBufferPointer { dxb in
                            layer.backward(input: xb.baseAddress!, output: UnsafePointer(yb.baseAddress!),
                                           outputGradient: db.baseAddress!, inputGradient: dxb.baseAddress!,
                                           parameters: pb.baseAddress!, parameterGradients: UnsafeMutablePointer(mutating: pb.baseAddress!),
                                           batch: 1)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(Array(dx[0..<5]), [1, 1, 1, 1, 1])
        XCTAssertEqual(dx[5...].reduce(0, +), 0)
    }

    func testMaxPool2DPicksWindowMaximum() {
        // One 4×4 single-channel image: windows {1,2,5,6}… → maxima 6, 8, 14, 16.
        let layer = MaxPool2D(height: 4, width: 4, channels: 1, size: 2)
        let x: [Float] = (1...16).map(Float.init)
        var y = [Float](repeating: 0, count: 4)
        let p: [Float] = [0]
        x.withUnsafeBufferPointer { xb in
            p.withUnsafeBufferPointer { pb in
                y.withUnsafeMutableBufferPointer { yb in
                    layer.forward(input: xb.baseAddress!, output: yb.baseAddress!, parameters: pb.baseAddress!, batch: 1)
                }
            }
        }
        XCTAssertEqual(y, [6, 8, 14, 16])
    }
}

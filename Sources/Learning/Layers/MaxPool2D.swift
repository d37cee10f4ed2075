/// Non-overlapping max pooling over p×p windows with stride p, NHWC (Keras `MaxPooling2D(p)`,
/// `valid`: trailing rows/columns that do not fill a window are dropped).
///
/// Forward:  y[n,oy,ox,c] = max_{0≤dy,dx<p} x[n, oy·p+dy, ox·p+dx, c]; the winner's index within
///           its sample is kept (first maximum on ties, scanning the window row by row).
/// Backward: ∂x[argmax] += ∂y, every other ∂x is 0.
public final class MaxPool2D: Layer {
    public let height: Int, width: Int, channels: Int, size: Int
    public let outHeight: Int, outWidth: Int
    private let argmax = IndexBuffer(capacity: 0)

    public init(height: Int, width: Int, channels: Int, size: Int) {
        self.height = height
        self.width = width
        self.channels = channels
        self.size = max(1, size)
        outHeight = height / self.size
        outWidth = width / self.size
    }

    public var inputShape: [Int] { [height, width, channels] }
    public var outputShape: [Int] { [outHeight, outWidth, channels] }
    public var parameterShapes: [(name: String, shape: [Int])] { [] }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, heUniform: Bool,
                                     generator: inout SeededGenerator) {}

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        parameters: UnsafePointer<Float>, batch: Int) {
        let c = channels, p = size
        argmax.reserve(batch * outputCount)
        var y = output
        var index = argmax.pointer
        let imageSize = height * width * c
        let lanes = SIMD4<Int32>(0, 1, 2, 3)
        for n in 0..<batch {
            let image = input + n * imageSize
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let first = ((oy * p) * width + ox * p) * c
                    // Channels 4 at a time with SIMD compare-and-select: scalar code here
                    // compiles to data-dependent branches that mispredict half the time.
                    var ch = 0
                    while ch + 4 <= c {
                        var best = load4(image + first + ch)
                        var winner = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: first + ch)) &+ lanes
                        for wy in 0..<p {
                            for wx in 0..<p where wy != 0 || wx != 0 {
                                let offset = ((oy * p + wy) * width + ox * p + wx) * c + ch
                                let v = load4(image + offset)
                                let better = v .> best
                                best.replace(with: v, where: better)
                                winner.replace(with: SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: offset)) &+ lanes,
                                               where: better)
                            }
                        }
                        UnsafeMutableRawPointer(y + ch).storeBytes(of: best, as: SIMD4<Float>.self)
                        UnsafeMutableRawPointer(index + ch).storeBytes(of: winner, as: SIMD4<Int32>.self)
                        ch += 4
                    }
                    while ch < c {
                        var best = image[first + ch]
                        var winner = first + ch
                        for wy in 0..<p {
                            for wx in 0..<p where wy != 0 || wx != 0 {
                                let offset = ((oy * p + wy) * width + ox * p + wx) * c + ch
                                if image[offset] > best {
                                    best = image[offset]
                                    winner = offset
                                }
                            }
                        }
                        y[ch] = best
                        index[ch] = Int32(truncatingIfNeeded: winner)
                        ch += 1
                    }
                    y += c
                    index += c
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         parameters: UnsafePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
                         batch: Int) {
        guard let dx else { return }
        dx.update(repeating: 0, count: batch * inputCount)
        let imageSize = inputCount, pooled = outputCount
        for n in 0..<batch {
            let image = dx + n * imageSize
            let index = argmax.pointer + n * pooled, g = dy + n * pooled
            for i in 0..<pooled {
                image[Int(index[i])] += g[i]
            }
        }
    }
}

@inline(__always)
private func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

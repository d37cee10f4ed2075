/// A named view into the flat parameter vector: elements [offset, offset + count) hold a tensor
/// of `shape` in row-major order. Names are `layer<i>.<kind>.<weight|bias>`, i = position in the
/// spec (e.g. `layer0.conv.weight`, `layer3.dense.bias`); checkpoints and the exported model use them.
public struct ParameterTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var count: Int

    public init(name: String, shape: [Int], offset: Int, count: Int) {
        self.name = name
        self.shape = shape
        self.offset = offset
        self.count = count
    }
}

/// One named float32 tensor of a `.safetensors` file: the unit of model export and
/// checkpoints. `values` holds `shape.reduce(1, *)` numbers in row-major order.
public struct SafeTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

import Datasets
import Learning

/// Writes a flat parameter vector as `.safetensors`: one F32 tensor per layer weight and bias,
/// with its shape, and the model spec in `__metadata__` so the file is self-describing.
///
/// NumPy/PyTorch users load it without SwiftPS (docs/ show how); checkpoints use the same format.
public enum ModelExport {
    public static func write(parameters: UnsafeBufferPointer<Float>, tensors: [ParameterTensor],
                             spec: ModelSpec, modelName: String, inputShape: [Int], classCount: Int,
                             extraMetadata: [String: String] = [:], to path: String) throws {
        var out: [SafeTensor] = []
        out.reserveCapacity(tensors.count)
        for t in tensors {
            guard t.offset >= 0, t.offset + t.count <= parameters.count else {
                throw ClusterError(.dataMismatch, "tensor \(t.name) [\(t.offset), \(t.offset + t.count)) lies outside \(parameters.count) parameters")
            }
            out.append(SafeTensor(name: t.name, shape: t.shape,
                                  values: Array(parameters[t.offset..<(t.offset + t.count)])))
        }
        var metadata = extraMetadata
        metadata["format"] = "swiftps"
        metadata["model"] = modelName
        metadata["spec"] = spec.description
        metadata["input_shape"] = inputShape.map(String.init).joined(separator: ",")
        metadata["class_count"] = String(classCount)
        metadata["parameter_count"] = String(parameters.count)
        try SafeTensors.write(out, metadata: metadata, to: path)
    }
}

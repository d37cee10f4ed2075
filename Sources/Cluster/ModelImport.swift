import Datasets
import Learning

/// Reads a `.safetensors` export back into a ready network: the inverse of `ModelExport`.
///
/// The file is self-describing (spec, input shape, class count in `__metadata__`), so
/// `swiftps evaluate` needs nothing but the file and the data.
public enum ModelImport {
    public static func load(path: String, maxBatch: Int) throws -> Network {
        let file = try SafeTensors.read(path: path)
        let meta = file.metadata
        guard let specText = meta["spec"], let shapeText = meta["input_shape"],
              let classText = meta["class_count"], let classes = Int(classText) else {
            throw ClusterError(.dataMismatch, "\(path): not a SwiftPS export (its metadata lacks spec, input_shape or class_count)")
        }
        let shape = shapeText.split(separator: ",").compactMap { Int($0) }
        let network: Network
        do {
            network = try Network(spec: try ModelSpec(parsing: specText), inputShape: shape,
                                  classCount: classes, maxBatch: maxBatch)
        } catch {
            throw ClusterError(.dataMismatch, "\(path): cannot rebuild its model '\(specText)': \(error)")
        }
        let byName = Dictionary(file.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for t in network.parameterTensors {
            guard let stored = byName[t.name], stored.shape == t.shape, stored.values.count == t.count else {
                throw ClusterError(.dataMismatch, "\(path): tensor \(t.name) of shape \(t.shape) is missing or has another shape")
            }
            stored.values.withUnsafeBufferPointer { src in
                _ = UnsafeMutableBufferPointer(rebasing: network.parameters[t.offset..<(t.offset + t.count)])
                    .update(fromContentsOf: src)
            }
        }
        return network
    }
}

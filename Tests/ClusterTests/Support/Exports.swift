import Datasets
import Foundation
import XCTest

/// Comparing two exported models element by element.
enum Exports {
    struct Difference {
        var maxRelative: Double
        var bitwiseEqual: Bool
        var tensors: Int
    }

    /// Relative difference |a − b| / max(|a|, |b|, 1e-6) over every parameter, plus whether
    /// every float is bit-for-bit identical.
    static func compare(_ a: String, _ b: String) throws -> Difference {
        let x = try SafeTensors.read(path: a).tensors
        let y = try SafeTensors.read(path: b).tensors
        guard x.map(\.name) == y.map(\.name), x.map(\.shape) == y.map(\.shape) else {
            throw NSError(domain: "Exports", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "the two exports hold different tensors: \(x.map(\.name)) vs \(y.map(\.name))"])
        }
        var worst = 0.0
        var bitwise = true
        for (t, u) in zip(x, y) {
            for (p, q) in zip(t.values, u.values) {
                if p.bitPattern != q.bitPattern { bitwise = false }
                let d = Double(abs(p - q)) / max(Double(abs(p)), Double(abs(q)), 1e-6)
                if !(d <= worst) { worst = d.isNaN ? .infinity : max(worst, d) }
            }
        }
        return Difference(maxRelative: worst, bitwiseEqual: bitwise, tensors: x.count)
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftps-cluster-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func summary(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NSError(domain: "Exports", code: 2, userInfo: [NSLocalizedDescriptionKey: "summary is not a JSON object"])
        }
        return object
    }
}

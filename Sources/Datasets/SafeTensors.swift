import Foundation

/// Reads and writes `.safetensors` files (float32 only): SwiftPS's model export and
/// checkpoint format, chosen so NumPy and PyTorch users can load our files directly.
///
/// Format: an 8-byte little-endian u64 N; N bytes of UTF-8 JSON
/// `{"__metadata__":{"k":"v",…},"name":{"dtype":"F32","shape":[…],"data_offsets":[begin,end]},…}`
/// padded with spaces so N is a multiple of 8 (the data then starts 8-byte aligned); then
/// the data: each tensor's values as raw little-endian float32, tensors back to back in
/// the order given to `write`, offsets relative to the start of the data.
///
/// Rules the reader enforces (those of the reference implementation): the header is a JSON
/// object within the file and at most 100 MB; every entry has dtype `F32`, a shape of
/// non-negative integers and `end − begin == 4 × elements`; the entries tile the data
/// exactly — no gaps, no overlaps, nothing after the last one.
public enum SafeTensors {
    /// Largest header the reader accepts (as in the reference implementation).
    public static let maxHeaderLength = 100_000_000

    /// Writes atomically (temporary file, fsync, rename): a crash leaves the old file or the
    /// new one, never a torn one. Names must be non-empty, unique and not `__metadata__`;
    /// each tensor's value count must match its shape. Metadata keys are written sorted.
    public static func write(_ tensors: [SafeTensor], metadata: [String: String], to path: String) throws {
        let header = try headerBytes(tensors, metadata: metadata, path: path)
        try AtomicFile.write(to: path) { append in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try append($0) }
            try header.withUnsafeBytes { try append($0) }
            for tensor in tensors {
                #if _endian(big)
                let values = tensor.values.map { $0.bitPattern.littleEndian }
                try values.withUnsafeBytes { try append($0) }
                #else
                try tensor.values.withUnsafeBytes { try append($0) }
                #endif
            }
        }
    }

    /// The JSON header, space-padded to a multiple of 8 bytes.
    static func headerBytes(_ tensors: [SafeTensor], metadata: [String: String], path: String) throws -> [UInt8] {
        var json = "{"
        var first = true
        func field(_ text: String) {
            if !first { json += "," }
            first = false
            json += text
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            field("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var seen = Set<String>()
        var offset = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name != "__metadata__", seen.insert(tensor.name).inserted else {
                throw DatasetError(.invalidTensor, path: path,
                                   "tensor name '\(tensor.name)' is empty, reserved or used twice")
            }
            var elements = 1
            for d in tensor.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard d >= 0, !overflow else {
                    throw DatasetError(.invalidTensor, path: path, "tensor '\(tensor.name)': invalid shape \(tensor.shape)")
                }
                elements = product
            }
            guard elements == tensor.values.count else {
                throw DatasetError(.invalidTensor, path: path,
                                   "tensor '\(tensor.name)': shape \(tensor.shape) needs \(elements) values, got \(tensor.values.count)")
            }
            let end = offset + 4 * elements
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            field("\(jsonString(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        while bytes.count % 8 != 0 { bytes.append(UInt8(ascii: " ")) }
        return bytes
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

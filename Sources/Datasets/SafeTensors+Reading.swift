import Foundation

extension SafeTensors {
    /// The tensors in data order (the order they were written) and the metadata; every
    /// violation of the format rules is a `DatasetError` naming the place.
    public static func read(path: String) throws -> (tensors: [SafeTensor], metadata: [String: String]) {
        let bytes = try FileBytes.readRaw(path)
        guard bytes.count >= 8 else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): a safetensors file starts with an 8-byte header length")
        }
        let declared = bytes.littleEndianUInt64(at: 0, width: 8)
        guard declared <= UInt64(maxHeaderLength) else {
            throw DatasetError(.corrupt, path: path,
                               "header length \(declared) at byte 0 exceeds the \(maxHeaderLength)-byte limit (not a safetensors file?)")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): the header length at byte 0 declares \(headerLength) header bytes from byte 8")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{"),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
              let header = object as? [String: Any] else {
            throw DatasetError(.corrupt, path: path, "the header at byte 8 is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let table = value as? [String: Any] else {
                    throw DatasetError(.corrupt, path: path, "header at byte 8: __metadata__ is not an object")
                }
                for (key, item) in table {
                    guard let text = item as? String else {
                        throw DatasetError(.corrupt, path: path, "header at byte 8: metadata '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            func bad(_ what: String, _ code: DatasetError.Code = .invalidTensor) -> DatasetError {
                DatasetError(code, path: path, "header at byte 8, tensor '\(name)': \(what)")
            }
            guard let info = value as? [String: Any] else { throw bad("entry is not an object") }
            guard let dtype = info["dtype"] as? String else { throw bad("no dtype") }
            guard dtype == "F32" else { throw bad("dtype \(dtype) (SwiftPS reads F32 only)", .unsupportedFormat) }
            guard let shapeItems = info["shape"] as? [Any] else { throw bad("no shape") }
            let shape = shapeItems.compactMap(integer)
            guard shape.count == shapeItems.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw bad("shape \(shapeItems) is not a list of non-negative integers")
            }
            guard let offsetItems = info["data_offsets"] as? [Any], offsetItems.count == 2,
                  let begin = integer(offsetItems[0]), let end = integer(offsetItems[1]) else {
                throw bad("data_offsets is not a pair of integers")
            }
            guard begin >= 0, begin <= end else { throw bad("data_offsets [\(begin), \(end)] are reversed") }
            guard end <= dataLength else {
                throw DatasetError(.truncated, path: path,
                                   "truncated at byte \(bytes.count): tensor '\(name)' needs data bytes up to \(dataStart + end)")
            }
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow else { throw bad("shape \(shape) is too large") }
                elements = product
            }
            guard elements <= (end - begin) / 4, end - begin == elements * 4 else {
                throw bad("data_offsets [\(begin), \(end)] hold \(end - begin) bytes, shape \(shape) of F32 needs \(elements * 4)")
            }
            entries.append((name, shape, begin, end))
        }

        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else {
                throw DatasetError(.corrupt, path: path,
                                   "tensor '\(entry.name)' starts at data byte \(entry.begin), expected \(expected): the data has a \(entry.begin > expected ? "gap" : "overlap")")
            }
            expected = entry.end
        }
        guard expected == dataLength else {
            throw DatasetError(.trailingBytes, path: path,
                               "\(dataLength - expected) unexpected bytes after the last tensor, from byte \(dataStart + expected)")
        }

        var tensors: [SafeTensor] = []
        tensors.reserveCapacity(entries.count)
        bytes.withUnsafeBytes { raw in
            for entry in entries {
                let count = (entry.end - entry.begin) / 4
                let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        let bits = raw.loadUnaligned(fromByteOffset: dataStart + entry.begin + 4 * i, as: UInt32.self)
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                    initialized = count
                }
                tensors.append(SafeTensor(name: entry.name, shape: entry.shape, values: values))
            }
        }
        return (tensors, metadata)
    }

    /// A JSON number that is an exact integer (JSONSerialization hands back NSNumber).
    private static func integer(_ value: Any) -> Int? {
        if let int = value as? Int { return int }
        if let double = value as? Double, double.rounded() == double, abs(double) < 9e15 { return Int(double) }
        return nil
    }
}

/// An array read from a `.npy` file, converted to `Float`.
public struct NPYArray: Sendable {
    public var shape: [Int]
    public var values: [Float]
    /// The file's dtype descriptor: `<f4` or `|u1`.
    public var descr: String
    /// Byte offset of the first item in the file; messages about items cite bytes from it.
    public var dataOffset: Int
}

/// Reads NumPy `.npy` files (format versions 1.0 and 2.0).
///
/// Supported: dtype `<f4` (little-endian float32) or `|u1` (uint8), C order
/// (`fortran_order: False`). Layout: magic `\x93NUMPY`, version bytes, a little-endian
/// header length (u16 in 1.0, u32 in 2.0), a Python-dict header, then the raw data, which
/// must fill the file exactly.
///
/// A data set is ONE 2-D array `[examples, features + 1]` whose LAST column is the integer
/// label (e.g. `np.save("d.npy", np.hstack([X, y[:, None]]).astype(np.float32))`). Why one
/// file and not an `X.npy` + `y.npy` pair: one path names the data set, like a CSV, and the
/// two halves can never be mismatched. Labels must be integers ≥ 0 (class count = max + 1);
/// features must be finite. uint8 features are taken as numbers, not pixels: tabular data
/// is standardised afterwards, so no ÷255 is needed.
public enum NPYReader {
    public static func readArray(path: String) throws -> NPYArray {
        let bytes = try FileBytes.read(path)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10 else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): an NPY file needs at least 10 header bytes")
        }
        guard Array(bytes[0..<6]) == magic else {
            let got = bytes[0..<6].map { String($0, radix: 16) }.joined(separator: " ")
            throw DatasetError(.wrongMagic, path: path,
                               "wrong magic [\(got)] at byte 0 (expected [93 4e 55 4d 50 59], \"\\x93NUMPY\", for an NPY file)")
        }
        let major = bytes[6], minor = bytes[7]
        let lengthWidth: Int
        switch (major, minor) {
        case (1, 0): lengthWidth = 2
        case (2, 0): lengthWidth = 4
        default:
            throw DatasetError(.unsupportedFormat, path: path,
                               "NPY version \(major).\(minor) at byte 6 (supported: 1.0 and 2.0)")
        }
        let headerStart = 8 + lengthWidth
        guard bytes.count >= headerStart else {
            throw DatasetError(.truncated, path: path, "truncated at byte \(bytes.count) inside the header length")
        }
        let headerLength = Int(bytes.littleEndianUInt64(at: 8, width: lengthWidth))
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): the header declares \(headerLength) header bytes from byte \(headerStart)")
        }
        let header = String(decoding: bytes[headerStart..<dataStart], as: UTF8.self)
        let (descr, fortran, shape) = try parseHeader(header, path: path, at: headerStart)
        let itemSize: Int
        switch descr {
        case "<f4": itemSize = 4
        case "|u1", "<u1": itemSize = 1
        default:
            throw DatasetError(.unsupportedFormat, path: path,
                               "dtype '\(descr)' in the header at byte \(headerStart) (supported: '<f4' float32, '|u1' uint8)")
        }
        guard !fortran else {
            throw DatasetError(.unsupportedFormat, path: path,
                               "fortran_order is True in the header at byte \(headerStart); save the array in C order")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, d >= 0 else {
                throw DatasetError(.corrupt, path: path, "shape \(shape) in the header at byte \(headerStart) is too large")
            }
            count = product
        }
        let available = bytes.count - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        if overflow || available < needed {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): shape \(shape) of '\(descr)' needs \(count) items from byte \(dataStart); the file ends inside item \(available / itemSize)")
        }
        if available > needed {
            throw DatasetError(.trailingBytes, path: path,
                               "\(available - needed) unexpected bytes after the \(count) declared items, from byte \(dataStart + needed)")
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            values.withUnsafeMutableBufferPointer { out in
                if itemSize == 4 {
                    for i in 0..<count {
                        let bits = raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)
                        out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                } else {
                    for i in 0..<count { out[i] = Float(raw[dataStart + i]) }
                }
            }
        }
        return NPYArray(shape: shape, values: values, descr: descr, dataOffset: dataStart)
    }

    /// A tabular data set from a 2-D array whose last column is the label (see the type's
    /// doc comment for the rules).
    public static func read(path: String) throws -> Dataset {
        try read(path: path, classCount: nil)
    }

    /// `classCount`: a test set's labels must be below its training set's; `nil` derives it.
    static func read(path: String, classCount: Int?) throws -> Dataset {
        let array = try readArray(path: path)
        guard array.shape.count == 2 else {
            throw DatasetError(.unsupportedFormat, path: path,
                               "shape \(array.shape): expected a 2-D array [examples, features + 1] whose last column is the label")
        }
        let rows = array.shape[0], columns = array.shape[1]
        guard rows > 0 else { throw DatasetError(.emptyDataset, path: path, "shape \(array.shape) has no rows") }
        guard columns >= 2 else {
            throw DatasetError(.unsupportedFormat, path: path,
                               "shape \(array.shape): need at least one feature column and the label column")
        }
        let headerEnd = array.dataOffset
        let itemSize = array.descr == "<f4" ? 4 : 1
        var features: [Float] = []
        features.reserveCapacity(rows * (columns - 1))
        var labels: [Int32] = []
        labels.reserveCapacity(rows)
        var maxLabel = 0
        for row in 0..<rows {
            for column in 0..<columns {
                let item = row * columns + column
                let value = array.values[item]
                let place = "row \(row), column \(column) (item \(item), byte \(headerEnd + item * itemSize))"
                if column == columns - 1 {
                    let limit = classCount ?? labelLimit
                    guard value.isFinite, value >= 0, value.rounded() == value, Double(value) < Double(limit) else {
                        let why = !value.isFinite ? "is not a finite number"
                            : value < 0 ? "is negative"
                            : value.rounded() != value ? "is not an integer"
                            : classCount != nil ? "is not below the class count \(limit) of the training set"
                            : "exceeds the limit of \(labelLimit) classes"
                        throw DatasetError(.labelOutOfRange, path: path, "label \(value) at \(place) \(why)")
                    }
                    labels.append(Int32(value))
                    maxLabel = max(maxLabel, Int(value))
                } else {
                    guard value.isFinite else {
                        throw DatasetError(.nonNumericCell, path: path, "feature \(value) at \(place) is not a finite number")
                    }
                    features.append(value)
                }
            }
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return Dataset(unchecked: name, sampleShape: [columns - 1], features: features, labels: labels,
                       classCount: classCount ?? maxLabel + 1)
    }

    /// Pulls `descr`, `fortran_order` and `shape` out of the header's Python dict literal,
    /// e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (150, 5), }`.
    private static func parseHeader(_ header: String, path: String, at offset: Int) throws
        -> (descr: String, fortran: Bool, shape: [Int]) {
        func fail(_ what: String) -> DatasetError {
            DatasetError(.corrupt, path: path, "header at byte \(offset): \(what) in \(header.trimmingTrailingSpace())")
        }
        func value(after key: String) -> Substring? {
            for quote in ["'", "\""] {
                if let range = header.range(of: quote + key + quote) {
                    var rest = header[range.upperBound...].drop(while: { $0 == " " })
                    guard rest.first == ":" else { return nil }
                    rest = rest.dropFirst().drop(while: { $0 == " " })
                    return rest
                }
            }
            return nil
        }
        guard header.hasPrefix("{") else { throw fail("expected a '{' dict") }
        guard let descrRest = value(after: "descr"), let q = descrRest.first, q == "'" || q == "\"",
              let close = descrRest.dropFirst().firstIndex(of: q) else { throw fail("no 'descr' string") }
        let descr = String(descrRest[descrRest.index(after: descrRest.startIndex)..<close])
        guard let fortranRest = value(after: "fortran_order") else { throw fail("no 'fortran_order'") }
        let fortran: Bool
        if fortranRest.hasPrefix("False") { fortran = false }
        else if fortranRest.hasPrefix("True") { fortran = true }
        else { throw fail("'fortran_order' is neither True nor False") }
        guard let shapeRest = value(after: "shape"), shapeRest.first == "(",
              let shapeClose = shapeRest.firstIndex(of: ")") else { throw fail("no 'shape' tuple") }
        let inner = shapeRest[shapeRest.index(after: shapeRest.startIndex)..<shapeClose]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: " ")
            if trimmed.isEmpty { continue }
            guard let d = Int(trimmed), d >= 0 else { throw fail("bad dimension '\(trimmed)' in 'shape'") }
            shape.append(d)
        }
        return (descr, fortran, shape)
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
    fileprivate func trimmingTrailingSpace() -> String {
        String(reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}

/// The images of one IDX image file (magic `0x00000803`: unsigned bytes, 3 dimensions).
public struct IDXImages: Sendable {
    public var count: Int
    public var rows: Int
    public var columns: Int
    /// `count × rows × columns` pixels, image after image, row by row, 0…255.
    public var pixels: [UInt8]
}

/// Reads LeCun's IDX files (MNIST's format), gzipped or raw.
///
/// Rules (see data/mnist/README.md): header integers are 32-bit big-endian; an image file
/// is magic `0x00000803` then `N, rows, columns` (16-byte header) then `N·rows·columns`
/// bytes; a label file is magic `0x00000801` then `N` (8-byte header) then `N` bytes.
/// Only unsigned-byte data is read (type code `0x08`), which is every IDX data set
/// SwiftPS bundles. The file must end exactly where the header says: a short file is
/// `.truncated`, extra bytes are `.trailingBytes` (a sign of the wrong file).
public enum IDXReader {
    public static let imageMagic: UInt32 = 0x0000_0803
    public static let labelMagic: UInt32 = 0x0000_0801

    public static func readImages(path: String) throws -> IDXImages {
        let bytes = try FileBytes.read(path)
        try checkMagic(bytes, path: path, expected: imageMagic, kind: "an IDX image file")
        try requireHeader(bytes, path: path, length: 16, kind: "image")
        let count = Int(bytes.bigEndianUInt32(at: 4))
        let rows = Int(bytes.bigEndianUInt32(at: 8))
        let columns = Int(bytes.bigEndianUInt32(at: 12))
        guard count > 0 else {
            throw DatasetError(.emptyDataset, path: path, "the header at byte 4 declares 0 images")
        }
        guard rows > 0, columns > 0 else {
            throw DatasetError(.corrupt, path: path,
                               "image size \(rows)×\(columns) declared at byte 8 must be positive")
        }
        let imageSize = rows * columns  // < 2^64: both < 2^32
        let (total, overflow) = count.multipliedReportingOverflow(by: imageSize)
        let available = bytes.count - 16
        if overflow || available < total {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): the header declares \(count) images of \(rows)×\(columns) (\(overflow ? "too many" : String(total)) bytes from byte 16) but the file ends inside image \(available / imageSize)")
        }
        if available > total {
            throw DatasetError(.trailingBytes, path: path,
                               "\(available - total) unexpected bytes after the \(count) declared images, from byte \(16 + total)")
        }
        return IDXImages(count: count, rows: rows, columns: columns, pixels: Array(bytes[16...]))
    }

    public static func readLabels(path: String) throws -> [UInt8] {
        let bytes = try FileBytes.read(path)
        try checkMagic(bytes, path: path, expected: labelMagic, kind: "an IDX label file")
        try requireHeader(bytes, path: path, length: 8, kind: "label")
        let count = Int(bytes.bigEndianUInt32(at: 4))
        guard count > 0 else {
            throw DatasetError(.emptyDataset, path: path, "the header at byte 4 declares 0 labels")
        }
        let available = bytes.count - 8
        if available < count {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): the header declares \(count) labels but the file ends before label \(available)")
        }
        if available > count {
            throw DatasetError(.trailingBytes, path: path,
                               "\(available - count) unexpected bytes after the \(count) declared labels, from byte \(8 + count)")
        }
        return Array(bytes[8...])
    }

    /// An image data set from an image file and its label file: pixels ÷ 255 into [0, 1],
    /// shape `[rows, columns, 1]`.
    ///
    /// Class count rule: if `classCount` is given (a test set takes its training set's),
    /// every label must be below it; otherwise it is 10 when every label is ≤ 9 (digits,
    /// even if a small set lacks some) and max label + 1 beyond that.
    public static func dataset(images imagesPath: String, labels labelsPath: String, name: String,
                               classCount: Int? = nil) throws -> Dataset {
        let images = try readImages(path: imagesPath)
        let labels = try readLabels(path: labelsPath)
        guard images.count == labels.count else {
            throw DatasetError(.countMismatch, path: imagesPath,
                               "\(images.count) images but \(labelsPath) has \(labels.count) labels")
        }
        let classes: Int
        if let classCount {
            if let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
                throw DatasetError(.labelOutOfRange, path: labelsPath,
                                   "label \(labels[bad]) of item \(bad) (byte \(8 + bad)) is not below the class count \(classCount) of the training set")
            }
            classes = classCount
        } else {
            let maxLabel = Int(labels.max() ?? 0)
            classes = maxLabel <= 9 ? 10 : maxLabel + 1
        }
        var scale = [Float](repeating: 0, count: 256)
        for v in 0..<256 { scale[v] = Float(v) / 255 }
        var features = [Float](repeating: 0, count: images.pixels.count)
        images.pixels.withUnsafeBufferPointer { source in
            scale.withUnsafeBufferPointer { table in
                features.withUnsafeMutableBufferPointer { out in
                    for i in 0..<source.count { out[i] = table[Int(source[i])] }
                }
            }
        }
        return Dataset(unchecked: name, sampleShape: [images.rows, images.columns, 1], features: features,
                       labels: labels.map { Int32($0) }, classCount: classes)
    }

    private static func checkMagic(_ bytes: [UInt8], path: String, expected: UInt32, kind: String) throws {
        guard bytes.count >= 4 else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): too short for the 4-byte magic number of \(kind)")
        }
        let magic = bytes.bigEndianUInt32(at: 0)
        guard magic == expected else {
            throw DatasetError(.wrongMagic, path: path,
                               "wrong magic \(hex32(magic)) at byte 0 (expected \(hex32(expected)) for \(kind))")
        }
    }

    private static func requireHeader(_ bytes: [UInt8], path: String, length: Int, kind: String) throws {
        guard bytes.count >= length else {
            throw DatasetError(.truncated, path: path,
                               "truncated at byte \(bytes.count): the IDX \(kind) header needs \(length) bytes")
        }
    }
}

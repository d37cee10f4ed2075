/// Every failure the Datasets module reports: a missing or malformed file, a bad data-set
/// choice, an impossible schedule, an invalid tensor file.
///
/// Why a struct over a code: cases can grow without breaking callers that switch on them
/// (STYLE.md), and the message always carries the file and the place (byte offset,
/// `line:column`, item index) so a user can open the file and look. The rule for every
/// message: name what was expected and what arrived.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure; compare with `==` against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingFile, unreadableFile, wrongMagic, truncated, trailingBytes, corrupt
            case countMismatch, labelOutOfRange, nonNumericCell, wrongColumnCount
            case unknownColumn, emptyDataset, unsupportedFormat, shapeMismatch
            case dataDirectoryNotFound, invalidSchedule, invalidTensor, writeFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The file (or directory) does not exist.
        public static let missingFile = Code(.missingFile)
        /// The file exists but could not be opened or read (permissions, I/O error).
        public static let unreadableFile = Code(.unreadableFile)
        /// The first bytes are not the format's magic number.
        public static let wrongMagic = Code(.wrongMagic)
        /// The file ends before the data its header declares (or a gzip stream is cut).
        public static let truncated = Code(.truncated)
        /// Bytes remain after the data the header declares.
        public static let trailingBytes = Code(.trailingBytes)
        /// The bytes are not valid for the format (bad gzip stream, bad header text, …).
        public static let corrupt = Code(.corrupt)
        /// Two files that must agree disagree (images vs labels, train vs test features).
        public static let countMismatch = Code(.countMismatch)
        /// A label is negative, not an integer, or not below the class count.
        public static let labelOutOfRange = Code(.labelOutOfRange)
        /// A CSV cell (or NPY feature) is not a finite number.
        public static let nonNumericCell = Code(.nonNumericCell)
        /// A CSV line has a different number of cells than the header.
        public static let wrongColumnCount = Code(.wrongColumnCount)
        /// The requested label column is not in the CSV header.
        public static let unknownColumn = Code(.unknownColumn)
        /// The data set (or a split of it) holds no examples.
        public static let emptyDataset = Code(.emptyDataset)
        /// A file kind, dtype, version or layout SwiftPS does not read.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// Train and test samples have different shapes.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// The bundled `data/` directory was not found anywhere it was looked for.
        public static let dataDirectoryNotFound = Code(.dataDirectoryNotFound)
        /// A data schedule cannot be built from the given counts.
        public static let invalidSchedule = Code(.invalidSchedule)
        /// A tensor (or a safetensors header entry) is inconsistent.
        public static let invalidTensor = Code(.invalidTensor)
        /// Writing a file failed.
        public static let writeFailed = Code(.writeFailed)
    }

    public let code: Code
    /// The file the error is about, if any; printed first, compiler-style.
    public let path: String?
    /// The place and the problem, e.g. `wrong magic 0x00000802 at byte 0 (expected …)`.
    public let detail: String

    public init(_ code: Code, path: String?, _ detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String {
        if let path { return "\(path): \(detail)" }
        return detail
    }
}

/// `0x00000803`-style rendering for magic numbers in messages.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

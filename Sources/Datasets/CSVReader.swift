/// Reads a numeric CSV data set: one header line, then one example per line.
///
/// Rules: cells are separated by commas, no quoting; spaces and tabs around a cell are
/// ignored; `\n` or `\r\n` line endings; a UTF-8 byte-order mark is skipped; blank lines
/// are skipped. Every data line must have as many cells as the header. Every feature cell
/// must be a finite number. The label column is chosen by name (`labelColumn`, matched
/// exactly); without one, the first column named `label`, `species`, `class` or `target`
/// (any letter case), else the last column. Labels must be integers ≥ 0 (`2` or `2.0`);
/// the class count is the largest label + 1. Features are returned as read — the caller
/// (`DataSource`) standardises them with training statistics.
public enum CSVReader {
    /// Header names that mark the label column when none is named, in priority order.
    public static let defaultLabelColumns = ["label", "species", "class", "target"]

    public static func read(path: String, labelColumn: String?) throws -> Dataset {
        try read(path: path, labelColumn: labelColumn, classCount: nil)
    }

    /// `classCount`: a test set's labels must be below its training set's class count;
    /// `nil` derives it (max label + 1).
    static func read(path: String, labelColumn: String?, classCount: Int?) throws -> Dataset {
        let bytes = try FileBytes.read(path)
        var header: [String] = []
        var labelIndex = 0
        var features: [Float] = []
        var labels: [Int32] = []
        var maxLabel = -1
        var cells: [Range<Int>] = []
        var failure: DatasetError?

        forEachLine(bytes) { lineNumber, line in
            splitCells(bytes, line, into: &cells)
            if header.isEmpty {
                header = cells.map { text(bytes, $0) }
                guard header.count >= 2 else {
                    failure = DatasetError(.wrongColumnCount, path: path,
                                           "\(lineNumber):1: the header has \(header.count) column; need at least one feature column and a label column")
                    return false
                }
                do { labelIndex = try chooseLabelColumn(header, labelColumn, path: path) } catch {
                    failure = error as? DatasetError
                    return false
                }
                return true
            }
            guard cells.count == header.count else {
                let column = cells.count > header.count ? cells[header.count].lowerBound - line.lowerBound + 1
                                                        : line.count + 1
                failure = DatasetError(.wrongColumnCount, path: path,
                                       "\(lineNumber):\(column): \(cells.count) cells, expected \(header.count) as in the header")
                return false
            }
            for (index, cell) in cells.enumerated() {
                let column = cell.lowerBound - line.lowerBound + 1
                let cellText = text(bytes, cell)
                if index == labelIndex {
                    guard let value = Double(cellText), value.isFinite else {
                        failure = DatasetError(.nonNumericCell, path: path,
                                               "\(lineNumber):\(column): label '\(cellText)' in column '\(header[index])' is not a number (labels must be integers 0, 1, 2, …)")
                        return false
                    }
                    let limit = classCount ?? labelLimit
                    guard value >= 0, value.rounded() == value, value < Double(limit) else {
                        let why = value < 0 ? "is negative"
                            : value.rounded() != value ? "is not an integer"
                            : classCount != nil ? "is not below the class count \(limit) of the training set"
                            : "exceeds the limit of \(labelLimit) classes"
                        failure = DatasetError(.labelOutOfRange, path: path,
                                               "\(lineNumber):\(column): label \(cellText) \(why)")
                        return false
                    }
                    labels.append(Int32(value))
                    maxLabel = max(maxLabel, Int(value))
                } else {
                    guard let value = Float(cellText), value.isFinite else {
                        failure = DatasetError(.nonNumericCell, path: path,
                                               "\(lineNumber):\(column): cell '\(cellText)' in column '\(header[index])' is not a finite number")
                        return false
                    }
                    features.append(value)
                }
            }
            return true
        }
        if let failure { throw failure }
        if header.isEmpty {
            throw DatasetError(.emptyDataset, path: path, "empty file: no header line")
        }
        if labels.isEmpty {
            throw DatasetError(.emptyDataset, path: path, "no data rows after the header")
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return Dataset(unchecked: name, sampleShape: [header.count - 1], features: features, labels: labels,
                       classCount: classCount ?? maxLabel + 1)
    }

    private static func chooseLabelColumn(_ header: [String], _ requested: String?, path: String) throws -> Int {
        if let requested {
            if let index = header.firstIndex(of: requested) { return index }
            throw DatasetError(.unknownColumn, path: path,
                               "1:1: no column named '\(requested)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", "))")
        }
        for name in defaultLabelColumns {
            if let index = header.firstIndex(where: { $0.lowercased() == name }) { return index }
        }
        return header.count - 1
    }

    /// Calls `body(lineNumber, byteRange)` for each non-blank line (1-based numbers, `\r`
    /// stripped) until it returns false.
    private static func forEachLine(_ bytes: [UInt8], _ body: (Int, Range<Int>) -> Bool) {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let next = end + 1
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            let isBlank = bytes[start..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 }
            if !isBlank, !body(lineNumber, start..<end) { return }
            start = next
        }
    }

    /// Byte ranges of the comma-separated cells of `line`, each trimmed of spaces and tabs.
    private static func splitCells(_ bytes: [UInt8], _ line: Range<Int>, into cells: inout [Range<Int>]) {
        cells.removeAll(keepingCapacity: true)
        var cellStart = line.lowerBound
        var i = line.lowerBound
        while i <= line.upperBound {
            if i == line.upperBound || bytes[i] == 0x2C {
                var lo = cellStart, hi = i
                while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 { lo += 1 }
                while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
                cells.append(lo..<hi)
                cellStart = i + 1
            }
            i += 1
        }
    }

    private static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

/// Largest label + 1 a CSV or NPY file may declare. Why a limit: a typo such as `1e9` in a
/// label column would otherwise silently build a billion-way classifier.
let labelLimit = 65_536

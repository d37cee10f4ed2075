import CZlib
import Foundation

/// Whole-file reads for the readers, gzip-aware.
///
/// Why whole files: the data sets SwiftPS trains on fit in memory (MNIST's training images
/// are 47 MB), and holding the bytes lets every later error name an exact byte offset.
/// Why zlib's `gzread`: it decompresses `.gz` files and passes other files through
/// unchanged ("transparent" mode), so one path serves `train-images-idx3-ubyte` and
/// `train-images-idx3-ubyte.gz` alike, decided by the file's bytes, not its name.
enum FileBytes {
    /// Checks that `path` names an existing regular file; the readers' first step, so a
    /// typo gives "no such file", not a zlib message.
    static func requireFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(.missingFile, path: path, "no such file")
        }
        if isDirectory.boolValue {
            throw DatasetError(.unsupportedFormat, path: path, "is a directory, expected a file")
        }
    }

    /// The file's bytes, decompressed if it is gzip (rule: gzip magic `1f 8b` → inflate,
    /// anything else → the raw bytes). A gzip stream cut short is `.truncated`, never a
    /// silently shorter result.
    static func read(_ path: String) throws -> [UInt8] {
        try requireFile(path)
        guard let file = gzopen(path, "rb") else {
            throw DatasetError(.unreadableFile, path: path,
                               "cannot open: \(String(cString: strerror(errno)))")
        }
        _ = gzbuffer(file, 1 << 18)
        var out: [UInt8] = []
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in
                gzread(file, buffer.baseAddress, UInt32(chunkSize))
            }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
                _ = gzclose(file)
                throw DatasetError(.corrupt, path: path,
                                   "bad gzip stream after \(out.count) decompressed bytes: \(message)")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        let closed = gzclose(file)
        // zlib reports a stream that ends mid-member as Z_BUF_ERROR, from gzerror or gzclose.
        if code == Z_BUF_ERROR || closed == Z_BUF_ERROR {
            throw DatasetError(.truncated, path: path,
                               "gzip stream truncated after \(out.count) decompressed bytes"
                               + (message.isEmpty ? "" : " (\(message))"))
        }
        if code != Z_OK || (closed != Z_OK) {
            throw DatasetError(.corrupt, path: path,
                               "bad gzip stream after \(out.count) decompressed bytes: \(message)")
        }
        return out
    }

    /// The file's raw bytes, never decompressed (for formats whose bytes are the contract,
    /// like safetensors).
    static func readRaw(_ path: String) throws -> [UInt8] {
        try requireFile(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.unreadableFile, path: path, "cannot read the file")
        }
        return [UInt8](data)
    }
}

extension Array where Element == UInt8 {
    /// Big-endian u32 at `offset`; the caller has checked the bounds.
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        (UInt32(self[offset]) << 24) | (UInt32(self[offset + 1]) << 16)
            | (UInt32(self[offset + 2]) << 8) | UInt32(self[offset + 3])
    }

    /// Little-endian unsigned integer of `width` bytes at `offset`; bounds checked by caller.
    func littleEndianUInt64(at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in stride(from: width - 1, through: 0, by: -1) {
            value = (value << 8) | UInt64(self[offset + i])
        }
        return value
    }
}

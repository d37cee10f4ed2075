import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically: write a temporary file next to it, fsync it, rename it over
/// the target, fsync the directory. Why: checkpoints and exported models must never be
/// seen half-written — after a crash a reader finds either the old file or the new one
/// (DESIGN.md, "Failure, safety, state").
enum AtomicFile {
    /// `body` receives a `write` function that appends bytes to the new file.
    static func write(to path: String,
                      _ body: (_ append: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let nsPath = path as NSString
        let directory = nsPath.deletingLastPathComponent.isEmpty ? "." : nsPath.deletingLastPathComponent
        let temporary = (directory as NSString)
            .appendingPathComponent(".\(nsPath.lastPathComponent).tmp-\(getpid())")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create \(temporary)") }
        var finished = false
        defer {
            if !finished {
                close(fd)
                unlink(temporary)
            }
        }
        try body { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = posixWrite(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write to \(temporary) failed at byte \(offset)")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw failure(path, "fsync of \(temporary) failed") }
        finished = true
        guard close(fd) == 0 else {
            unlink(temporary)
            throw failure(path, "close of \(temporary) failed")
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(path, "rename from \(temporary) failed")
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; best effort (some file systems refuse O_RDONLY fsync on directories).
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func failure(_ path: String, _ what: String) -> DatasetError {
        DatasetError(.writeFailed, path: path, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

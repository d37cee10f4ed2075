import Foundation

/// Finds the project's `data/` directory (holding `mnist/` and `iris/`), so `--data mnist`
/// works from a build tree, an installed copy or a container without a path argument.
///
/// Search order — the first candidate that contains a `mnist/` directory wins:
/// 1. `$SWIFTPS_DATA_DIR` if set and non-empty; a set variable that does not point at such
///    a directory is an error, not a fallback (an explicit choice must not be ignored);
/// 2. walking up from the running executable's real path (`/proc/self/exe`, so symlinks are
///    resolved): `<dir>/data` for each ancestor `<dir>`, e.g.
///    `repo/.build/x86_64-unknown-linux-gnu/release/swiftps` → `repo/data`;
/// 3. `/usr/share/swiftps/data`;
/// 4. `./data` (relative to the current directory).
/// The error lists every place looked at.
public enum BundledData {
    public static let environmentVariable = "SWIFTPS_DATA_DIR"
    public static let systemDirectory = "/usr/share/swiftps/data"

    public static func directory() throws -> String {
        try directory(environment: ProcessInfo.processInfo.environment,
                      executablePath: executablePath(),
                      currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// The search with its inputs explicit (for tests and for callers that know better).
    public static func directory(environment: [String: String], executablePath: String?,
                                 currentDirectory: String,
                                 systemDirectory: String = BundledData.systemDirectory) throws -> String {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            if holdsData(explicit) { return explicit }
            throw DatasetError(.dataDirectoryNotFound, path: explicit,
                               "\(environmentVariable) points here, but it is not a directory holding mnist/")
        }
        var looked: [String] = []
        if let executablePath {
            var dir = (executablePath as NSString).deletingLastPathComponent
            while !dir.isEmpty {
                let candidate = (dir as NSString).appendingPathComponent("data")
                looked.append(candidate)
                if holdsData(candidate) { return candidate }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir { break }
                dir = parent
            }
        }
        looked.append(systemDirectory)
        if holdsData(systemDirectory) { return systemDirectory }
        let local = (currentDirectory as NSString).appendingPathComponent("data")
        looked.append(local)
        if holdsData(local) { return local }
        throw DatasetError(.dataDirectoryNotFound, path: nil,
                           "no data directory holding mnist/ found; set \(environmentVariable) or look at: "
                           + ([environmentVariable + " (unset)"] + looked).joined(separator: ", "))
    }

    /// `data/mnist`: the four gzipped MNIST IDX files.
    public static func mnistDirectory() throws -> String {
        (try directory() as NSString).appendingPathComponent("mnist")
    }

    /// `data/iris/iris.csv`: 150 rows, label column `species`, 3 classes.
    public static func irisFile() throws -> String {
        ((try directory() as NSString).appendingPathComponent("iris") as NSString)
            .appendingPathComponent("iris.csv")
    }

    private static func holdsData(_ candidate: String) -> Bool {
        var isDirectory: ObjCBool = false
        let mnist = (candidate as NSString).appendingPathComponent("mnist")
        return FileManager.default.fileExists(atPath: mnist, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func executablePath() -> String? {
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return real
        }
        return CommandLine.arguments.first.map { ($0 as NSString).resolvingSymlinksInPath }
    }
}

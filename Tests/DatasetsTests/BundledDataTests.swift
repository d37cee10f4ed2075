import Datasets
import XCTest

final class BundledDataTests: XCTestCase {
    func testEnvironmentVariableWinsOverEverythingElse() throws {
        let dir = try TempDir()
        try dir.write("chosen/mnist/README.md", text: "x")
        try dir.write("repo/data/mnist/README.md", text: "x")
        let found = try BundledData.directory(environment: [BundledData.environmentVariable: dir.file("chosen")],
                                              executablePath: dir.file("repo/.build/release/swiftps"),
                                              currentDirectory: dir.path)
        XCTAssertEqual(found, dir.file("chosen"))
    }

    func testEnvironmentVariablePointingNowhereIsAnErrorNotAFallback() throws {
        let dir = try TempDir()
        try dir.write("repo/data/mnist/README.md", text: "x")
        assertDatasetError(.dataDirectoryNotFound, [dir.file("missing"), BundledData.environmentVariable]) {
            _ = try BundledData.directory(environment: [BundledData.environmentVariable: dir.file("missing")],
                                          executablePath: dir.file("repo/.build/release/swiftps"),
                                          currentDirectory: dir.path)
        }
    }

    func testWalksUpFromTheExecutableToTheRepositoryDataDirectory() throws {
        let dir = try TempDir()
        try dir.write("repo/data/mnist/README.md", text: "x")
        let found = try BundledData.directory(
            environment: [:], executablePath: dir.file("repo/.build/x86_64-unknown-linux-gnu/release/swiftps"),
            currentDirectory: "/", systemDirectory: dir.file("nowhere"))
        XCTAssertEqual(found, dir.file("repo/data"))
    }

    func testFallsBackToTheSystemDirectoryThenTheCurrentDirectory() throws {
        let dir = try TempDir()
        try dir.write("system/mnist/README.md", text: "x")
        try dir.write("cwd/data/mnist/README.md", text: "x")
        XCTAssertEqual(try BundledData.directory(environment: [:], executablePath: nil, currentDirectory: dir.file("cwd"),
                                                 systemDirectory: dir.file("system")), dir.file("system"))
        XCTAssertEqual(try BundledData.directory(environment: [:], executablePath: nil, currentDirectory: dir.file("cwd"),
                                                 systemDirectory: dir.file("nowhere")), dir.file("cwd/data"))
    }

    func testNotFoundErrorListsEveryPlaceLookedAt() throws {
        let dir = try TempDir()
        assertDatasetError(.dataDirectoryNotFound, ["SWIFTPS_DATA_DIR (unset)", dir.file("bin/data"), dir.file("data"),
                                                    dir.file("nowhere"), dir.file("cwd/data")]) {
            _ = try BundledData.directory(environment: [:], executablePath: dir.file("bin/swiftps"),
                                          currentDirectory: dir.file("cwd"), systemDirectory: dir.file("nowhere"))
        }
    }
}

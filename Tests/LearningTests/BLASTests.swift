import XCTest
import Learning

final class BLASTests: XCTestCase {
    func testBLASThreadCountCanBeSetAndRead() {
        let before = BLAS.threads
        BLAS.setThreads(1)
        XCTAssertEqual(BLAS.threads, 1)
        BLAS.setThreads(0)
        XCTAssertEqual(BLAS.threads, 1, "values below 1 mean 1")
        BLAS.setThreads(before)
    }
}

import Datasets
import XCTest

final class CSVReaderTests: XCTestCase {
    func testLabelColumnDefaultsToAKnownNameElseTheLastColumn() throws {
        let dir = try TempDir()
        let named = try dir.write("a.csv", text: "Species,x,y\n1,0.5,2\n0,1.5,3\n")
        let a = try CSVReader.read(path: named, labelColumn: nil)
        XCTAssertEqual(a.labels, [1, 0])
        XCTAssertEqual(a.features, [0.5, 2, 1.5, 3])
        XCTAssertEqual(a.sampleShape, [2])
        XCTAssertEqual(a.classCount, 2)

        let last = try dir.write("b.csv", text: "x,y,z\n0.5,2,4\n1.5,3,1\n")
        let b = try CSVReader.read(path: last, labelColumn: nil)
        XCTAssertEqual(b.labels, [4, 1])
        XCTAssertEqual(b.classCount, 5, "class count is the largest label + 1")
    }

    func testLabelColumnChosenByName() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,kind,label\n0.5,2,7\n")
        let data = try CSVReader.read(path: path, labelColumn: "kind")
        XCTAssertEqual(data.labels, [2])
        XCTAssertEqual(data.features, [0.5, 7])
    }

    func testCRLFLineEndingsBlankLinesSpacesAndByteOrderMarkAreAccepted() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", [0xEF, 0xBB, 0xBF] + Array("x , label\r\n 1.5 , 1 \r\n\r\n2,0.0\r\n".utf8))
        let data = try CSVReader.read(path: path, labelColumn: nil)
        XCTAssertEqual(data.features, [1.5, 2])
        XCTAssertEqual(data.labels, [1, 0])
    }

    func testNonNumericCellIsRejectedWithLineAndColumn() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,y,label\n1,2,0\n3,abc,1\n")
        assertDatasetError(.nonNumericCell, [path, "3:3:", "'abc'", "column 'y'"]) {
            _ = try CSVReader.read(path: path, labelColumn: nil)
        }
        let nan = try dir.write("b.csv", text: "x,label\nnan,0\n")
        assertDatasetError(.nonNumericCell, [nan, "2:1:", "'nan'"]) { _ = try CSVReader.read(path: nan, labelColumn: nil) }
    }

    func testWrongColumnCountIsRejectedWithLineAndColumn() throws {
        let dir = try TempDir()
        let extra = try dir.write("a.csv", text: "x,y,label\n1,2,0\n3,4,1,9\n")
        assertDatasetError(.wrongColumnCount, [extra, "3:7:", "4 cells, expected 3"]) {
            _ = try CSVReader.read(path: extra, labelColumn: nil)
        }
        let short = try dir.write("b.csv", text: "x,y,label\n1,2\n")
        assertDatasetError(.wrongColumnCount, [short, "2:4:", "2 cells, expected 3"]) {
            _ = try CSVReader.read(path: short, labelColumn: nil)
        }
    }

    func testNegativeLabelIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,label\n1,0\n2,-1\n")
        assertDatasetError(.labelOutOfRange, [path, "3:3:", "label -1 is negative"]) {
            _ = try CSVReader.read(path: path, labelColumn: nil)
        }
    }

    func testNonIntegerLabelIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,label\n1,1.5\n")
        assertDatasetError(.labelOutOfRange, [path, "2:3:", "label 1.5 is not an integer"]) {
            _ = try CSVReader.read(path: path, labelColumn: nil)
        }
        let text = try dir.write("b.csv", text: "x,label\n1,setosa\n")
        assertDatasetError(.nonNumericCell, [text, "2:3:", "label 'setosa' in column 'label' is not a number"]) {
            _ = try CSVReader.read(path: text, labelColumn: nil)
        }
    }

    func testAbsurdlyLargeLabelIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,label\n1,1e9\n")
        assertDatasetError(.labelOutOfRange, [path, "2:3:", "exceeds the limit"]) {
            _ = try CSVReader.read(path: path, labelColumn: nil)
        }
    }

    func testUnknownLabelColumnIsRejectedListingTheHeader() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "x,y\n1,0\n")
        assertDatasetError(.unknownColumn, [path, "no column named 'kind'", "'x', 'y'"]) {
            _ = try CSVReader.read(path: path, labelColumn: "kind")
        }
    }

    func testEmptyCSVIsRejected() throws {
        let dir = try TempDir()
        let headerOnly = try dir.write("a.csv", text: "x,label\n")
        assertDatasetError(.emptyDataset, [headerOnly, "no data rows"]) { _ = try CSVReader.read(path: headerOnly, labelColumn: nil) }
        let empty = try dir.write("b.csv", text: "")
        assertDatasetError(.emptyDataset, [empty, "no header line"]) { _ = try CSVReader.read(path: empty, labelColumn: nil) }
    }

    func testSingleColumnHeaderIsRejected() throws {
        let dir = try TempDir()
        let path = try dir.write("a.csv", text: "label\n1\n")
        assertDatasetError(.wrongColumnCount, [path, "1:1:", "need at least one feature column"]) {
            _ = try CSVReader.read(path: path, labelColumn: nil)
        }
    }

    func testMissingCSVIsRejected() throws {
        let dir = try TempDir()
        let path = dir.file("absent.csv")
        assertDatasetError(.missingFile, [path, "no such file"]) { _ = try CSVReader.read(path: path, labelColumn: nil) }
    }
}

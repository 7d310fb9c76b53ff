import Foundation
import Testing
@testable import MixedModels

/// Files above ``CSVReader/parallelByteThreshold`` are read in two halves on two threads: by the
/// one-pass path (see `CSVOnePassTests`), and by the general path when their records hold no
/// quote or carriage return. The halves must give exactly the table, line numbers and errors of
/// the single pass.
@Suite("CSV reading in two halves")
struct CSVParallelReadTests {
    /// A table of `rows` records with a numeric, a grouped label and a scattered label column,
    /// larger than the threshold; `quoteLastLabel` writes the last label in quotes, which sends
    /// the general path down its single pass.
    static func text(rows: Int, quoteLastLabel: Bool = false, replacing: (row: Int, field: String)? = nil) -> [UInt8] {
        var generator = SeededGenerator(seed: 7)
        var text = "y,x,subject,item\n"
        text.reserveCapacity(rows * 40)
        for row in 0..<rows {
            let y = Double(generator.next() % 1_000_000) / 1000
            let x = Double(generator.next() % 10_000) / 100
            var item = "item\(generator.next() % 997)"
            if quoteLastLabel && row == rows - 1 { item = "\"\(item)\"" }
            var line = "\(y),\(x),s\(row / 5),\(item)"
            if let replacing, replacing.row == row { line = replacing.field }
            text += line + "\n"
            if row % 1000 == 999 { text += "\n" }  // empty lines move the line numbers
        }
        return Array(text.utf8)
    }

    static let rows = 200_000

    @Test("two halves give the single pass's table")
    func sameTable() throws {
        let bytes = Self.text(rows: Self.rows)
        #expect(bytes.count >= CSVReader.parallelByteThreshold)
        let halves = try DataTable(csvBytes: bytes, source: "data.csv")
        let single = try DataTable(csvBytes: Self.text(rows: Self.rows, quoteLastLabel: true), source: "data.csv")
        #expect(halves.rowCount == Self.rows)
        #expect(halves == single)
    }

    @Test("a problem in the second half is reported with its line, as in one pass")
    func problemInSecondHalf() throws {
        let row = Self.rows - 100
        // Data row r (0-based) is on line 2 + r + r / 1000 (the header, then one empty line per 1000 rows).
        let expectedLine = 2 + row + row / 1000
        let ragged = Self.text(rows: Self.rows, replacing: (row, "1,2,s1"))
        #expect {
            _ = try DataTable(csvBytes: ragged, source: "data.csv")
        } throws: { error in
            guard case CSVError.raggedRow(_, let line, let fields, _) = error else { return false }
            return line == expectedLine && fields == 3
        }
        let infinite = Self.text(rows: Self.rows, replacing: (row, "Inf,2,s1,item1"))
        #expect {
            _ = try DataTable(csvBytes: infinite, source: "data.csv")
        } throws: { error in
            guard case CSVError.nonFiniteNumber(_, let line, _, _, _) = error else { return false }
            return line == expectedLine
        }
    }
}

import Testing
import SyncEngine
import SyncFS
import SyncProtocol
@testable import SyncStore

/// ``SQLiteIndexStore/candidates(_:descending:)``: rows grouped by path into need candidates,
/// whether they come in the page's order (no table of paths) or not (sorted afterwards).
@Suite struct CandidateGroupingTests {
    static func row(_ path: String, _ device: String) -> DecodedFileRow {
        let record = FileRecord(path: SyncPath(path), kind: .file, size: 1, version: VersionVector([.init(device: 1, value: 1)]))
        let state = device.isEmpty ? LocalFileState(kind: .file, size: 1, permissions: 0o644, mtimeNanoseconds: 5, ctimeNanoseconds: 5, inode: 9,
                                                    symlinkTarget: "") : nil
        return DecodedFileRow(device: device, record: record, state: state, needsList: false)
    }

    @Test(arguments: [false, true]) func rowsAreGroupedByPathInPageOrder(descending: Bool) {
        // é in NFC and e + U+0301 (NFD) are different paths, as on disk.
        var paths = ["a", "b", "caf\u{E9}", "cafe\u{301}", "d/x"].sorted { SyncPath($0) < SyncPath($1) }
        if descending { paths.reverse() }
        let inOrder = paths.flatMap { [Self.row($0, ""), Self.row($0, "peer-a"), Self.row($0, "peer-b")] }
        let shuffled = [inOrder[4], inOrder[0], inOrder[9], inOrder[3], inOrder[14]] + inOrder.enumerated()
            .filter { ![4, 0, 9, 3, 14].contains($0.offset) }.map(\.element)
        for rows in [inOrder, shuffled] {
            let got = SQLiteIndexStore.candidates(rows, descending: descending)
            #expect(got.map(\.path.string) == paths)
            for candidate in got {
                #expect(candidate.local?.state?.inode == 9)
                #expect(candidate.remote.keys.sorted() == ["peer-a", "peer-b"])
                #expect(candidate.remote.values.allSatisfy { $0.path == candidate.path })
            }
        }
    }
}

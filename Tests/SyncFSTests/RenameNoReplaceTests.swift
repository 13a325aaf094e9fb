import Testing
import WireKit
import SyncProtocol
@testable import SyncFS

/// ``FileSystem/renameNoReplace(_:to:)``: a pulled file is renamed to a path the index holds
/// nothing at only while nothing is there, so whatever the user made there meanwhile (a file,
/// a directory, a symlink) is never replaced; what `lstat` shows afterwards comes back.
@Suite struct RenameNoReplaceTests {
    @Test(arguments: FSKind.allCases) func renamesOnlyToAFreePathAndReportsWhatIsThere(_ kind: FSKind) throws {
        let (fs, dir) = makeFS(kind)
        _ = dir
        try fs.makeDirectories("d")
        for (path, temp) in [("d/new", "d/.tmp-1"), ("top", ".tmp-2")] {
            try fs.writeAll(temp, [1, 2, 3])
            let info = try fs.renameNoReplace(temp, to: path)
            #expect(try fs.info(temp) == nil)
            #expect(info == (try fs.info(path)), "the state after the rename, as lstat shows it (\(path))")
            #expect(info?.kind == .file && info?.size == 3)
            #expect(try fs.readAll(path) == [1, 2, 3])
        }
        // Taken by a file, a directory or a symlink: nothing is renamed, both stay as they were.
        try fs.writeAll("d/file", [9])
        try fs.makeDirectory("d/dir", permissions: 0o755)
        try fs.makeSymlink("d/link", target: "elsewhere")
        for taken in ["d/file", "d/dir", "d/link"] {
            try fs.writeAll("d/.tmp-3", [4])
            let before = try fs.info(taken)
            do {
                _ = try fs.renameNoReplace("d/.tmp-3", to: taken)
                Issue.record("\(taken) was replaced")
            } catch {
                #expect(error.code == FileSystemError.exists, "\(taken): \(error)")
            }
            #expect(try fs.info(taken) == before, "\(taken) untouched")
            #expect(try fs.readAll("d/.tmp-3") == [4], "the temp file stays for its owner to remove")
        }
        #expect(try fs.readAll("d/file") == [9])
    }

    @Test func aSymlinkedParentIsRefused() throws {
        let dir = TempDirectory(), elsewhere = TempDirectory()
        let fs = LocalFileSystem(root: dir.path)
        try fs.makeSymlink("link", target: elsewhere.path)
        try LocalFileSystem(root: elsewhere.path).writeAll(".tmp", [1])
        do {
            _ = try fs.renameNoReplace("link/.tmp", to: "link/f")
            Issue.record("renamed through a symlink")
        } catch { #expect(error.code == FileSystemError.loop) }
        #expect(try LocalFileSystem(root: elsewhere.path).list("") == [".tmp"])
    }
}

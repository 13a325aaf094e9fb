import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

@Suite struct FolderModeTests {
    @Test func receiveOnlyFlagsLocalChangesAndReverts() throws {
        let c = try Cluster(count: 2, seed: 8) { i, config in if i == 1 { config.mode = .receiveOnly } }
        c.connectAll()
        try c.fss[0].writeAll("shared.txt", Array("from A".utf8))
        c.converge()
        #expect(try c.fss[1].readAll("shared.txt") == Array("from A".utf8))

        try c.fss[1].writeAll("shared.txt", Array("local edit".utf8))
        try c.fss[1].writeAll("local-only.txt", Array("mine".utf8))
        c.converge()
        #expect(try c.fss[0].readAll("shared.txt") == Array("from A".utf8), "a receive-only change must not be sent")
        #expect(try c.fss[0].info("local-only.txt") == nil)
        #expect(c.engines[1].receiveOnlyChanges == [SyncPath("local-only.txt"), SyncPath("shared.txt")])
        #expect(c.events[1].contains(.receiveOnlyChanges(count: 2)))

        c.engines[1].revertLocalChanges(now: c.now)
        c.run()
        c.converge()
        #expect(try c.fss[1].readAll("shared.txt") == Array("from A".utf8))
        #expect(try c.fss[1].info("local-only.txt") == nil)
        #expect(c.engines[1].receiveOnlyChanges.isEmpty)
        #expect(c.allTreesEqual())
    }

    @Test func sendOnlyNeverPulls() throws {
        let c = try Cluster(count: 2, seed: 9) { i, config in if i == 0 { config.mode = .sendOnly } }
        c.connectAll()
        try c.fss[0].writeAll("a.txt", Array("A".utf8))
        try c.fss[1].writeAll("b.txt", Array("B".utf8))
        c.converge()
        #expect(try c.fss[1].readAll("a.txt") == Array("A".utf8))
        #expect(try c.fss[0].info("b.txt") == nil)
        #expect(c.engines[0].needCount() == 1)
    }

    @Test func massDeletionIsStoppedAndReported() throws {
        let c = try Cluster(count: 2, seed: 10)
        c.connectAll()
        for i in 0..<20 { try c.fss[0].writeAll("f\(i).txt", Array("\(i)".utf8)) }
        c.converge()
        for i in 0..<15 { try c.fss[0].remove("f\(i).txt") }
        c.converge(maxRounds: 2)
        #expect(c.events[1].contains(.massDeletionBlocked(count: 15)))
        #expect(try c.fss[1].list("").filter { $0.hasSuffix(".txt") }.count == 20)
        // A small deletion goes through.
        let d = try Cluster(count: 2, seed: 11)
        d.connectAll()
        for i in 0..<20 { try d.fss[0].writeAll("f\(i).txt", Array("\(i)".utf8)) }
        d.converge()
        try d.fss[0].remove("f0.txt")
        d.converge()
        #expect(d.allTreesEqual())
    }

    @Test func vanishedFolderMarkerStopsEverything() throws {
        let c = try Cluster(count: 2, seed: 12)
        c.connectAll()
        try c.fss[1].makeDirectories("data")
        try c.fss[1].writeAll("data/x.txt", Array("x".utf8))
        c.converge()
        // The disk "unmounts": the whole folder content, marker included, is gone.
        try c.fss[1].removeRecursively("data")
        try c.fss[1].removeRecursively(PathPolicy.stateDirectoryName)
        c.converge(maxRounds: 2)
        #expect(c.events[1].contains(.folderMarkerMissing))
        #expect(try c.fss[0].readAll("data/x.txt") == Array("x".utf8), "nothing may be deleted on the peer")
    }

    @Test func versioningKeepsReplacedAndDeletedFiles() throws {
        let c = try Cluster(count: 2, seed: 13) { i, config in if i == 1 { config.versioning = true } }
        c.connectAll()
        try c.fss[0].writeAll("doc.txt", Array("v1".utf8))
        c.converge()
        try c.fss[0].writeAll("doc.txt", Array("v2".utf8))
        c.converge()
        try c.fss[0].remove("doc.txt")
        c.converge()
        #expect(try c.fss[1].info("doc.txt") == nil)
        let kept = try c.fss[1].list(PathPolicy.stateDirectoryName + "/versions")
        #expect(kept.count == 2 && kept.allSatisfy { $0.hasPrefix("doc.txt~") })
        let contents = try Set(kept.map { try c.fss[1].readAll(PathPolicy.stateDirectoryName + "/versions/" + $0) })
        #expect(contents == [Array("v1".utf8), Array("v2".utf8)])
    }

    @Test func ignoredFilesAreNeitherSentNorServed() throws {
        let c = try Cluster(count: 2, seed: 14)
        c.connectAll()
        try c.fss[0].writeAll(".syncignore", Array("*.secret\n".utf8))
        try c.fss[0].writeAll("key.secret", Array("hunter2".utf8))
        try c.fss[0].writeAll("ok.txt", Array("fine".utf8))
        c.converge()
        #expect(try c.fss[1].info("key.secret") == nil)
        #expect(try c.fss[1].readAll(".syncignore") == Array("*.secret\n".utf8))
        // A peer asking for the ignored file by name gets nothing.
        c.engines[0].handle(frame: .request(ChunkRequest(requestID: 99, folderID: "default", path: SyncPath("key.secret"), offset: 0,
                                                         size: 7, hash: SHA256Hasher.hash(Array("hunter2".utf8)))),
                            from: c.ids[1], now: c.now)
        var answered = false
        while let t = c.engines[0].pollTransmit() {
            if case .response(let r) = try SyncFrame.decode(t.bytes), r.requestID == 99 {
                #expect(r.status == .notFound && r.data.isEmpty)
                answered = true
            }
        }
        #expect(answered)
    }
}

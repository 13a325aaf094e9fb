import SyncEngine
import SyncFS
import SyncProtocol
import Testing
import WireKit

/// Index pages wait while the driver still holds unsent bytes for the peer (found while
/// building the hostile-peer scenario, issue #11): before, the daemon's drain loop pulled every
/// page of a large index out of the engine into its outbox at once.
@Suite struct SendBacklogTests {
    @Test func indexPagesWaitForTheDriverToSend() throws {
        let fs = InMemoryFileSystem()
        var config = FolderConfig(folderID: "f", localDeviceID: "ME")
        config.indexBatchRecords = 100
        config.maxUnsentIndexBytes = 20_000
        let e = try FolderEngine(config: config, fs: fs, store: MemoryIndexStore(), newIndexID: 1)
        for d in 0..<10 { try fs.makeDirectories("dir\(d)") }
        for i in 0..<2_000 { try fs.writeAll("dir\(i % 10)/file-\(i).txt", Array("content \(i)".utf8)) }
        _ = e.scan(now: .zero)
        e.connect(peer: "PEER", now: .zero)
        e.handle(frame: .hello(Hello(deviceID: "PEER", deviceName: "p", folders: [
            .init(folderID: "f", indexID: 9, maxSequence: 0, peerIndexID: 0, peerMaxSequence: 0)])), from: "PEER", now: .zero)
        // A driver that sends nothing: the engine stops after one page beyond the limit.
        var unsent = 0, pages = 0, largestPage = 0, records = 0
        while let t = e.pollTransmit() {
            unsent += t.bytes.count
            e.setUnsentBytes(unsent, peer: "PEER")
            if case .index(let m) = try SyncFrame.decode(t.bytes) {
                pages += 1; records += m.records.count; largestPage = max(largestPage, t.bytes.count)
            }
        }
        #expect(unsent <= config.maxUnsentIndexBytes + largestPage, "\(unsent) bytes handed out while the driver sent nothing")
        #expect(pages < 2_010 / 100, "the whole index left the engine at once (\(pages) pages)")
        // The driver catches up: the rest of the index follows, then IndexComplete.
        var complete = false
        for _ in 0..<1_000 where !complete {
            unsent = 0
            e.setUnsentBytes(0, peer: "PEER")
            while let t = e.pollTransmit() {
                switch try SyncFrame.decode(t.bytes) {
                case .index(let m): records += m.records.count
                case .indexComplete: complete = true
                default: break
                }
            }
        }
        #expect(complete)
        #expect(records >= 2_000)
    }
}

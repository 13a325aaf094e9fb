import ControlAPI
import Daemon
import Foundation
import Testing

/// A folder's scan hashes its files off the folder's actor (``FolderRunner``): pausing or
/// removing the folder while it runs ends it once the step being hashed is committed, and
/// `folders rescan` still returns only when the scan is done.
@Suite struct ScanLifecycleTests {
    /// 800 files in 8 directories (small ones, and every 100th of 1.5 MiB, hashed after the walk).
    func makeFolder(_ root: String) throws -> Int {
        for i in 0..<800 {
            try writeFile(root + "/d\(i % 8)/f\(i).bin", sampleBytes(count: i % 100 == 0 ? 1_500_000 : 2_000 + i, seed: UInt64(i)))
        }
        return 800
    }

    @Test func pausedMidScanResumesAndRecordsEveryFile() async throws {
        let dir = TempDir()
        let d = try makeDaemon(dir, name: "a")
        await d.start()
        let files = try makeFolder(dir.path + "/share")
        _ = try await d.addFolder(AddFolderRequest(path: dir.path + "/share", id: "share"))
        // The first scan runs on after addFolder returns: pausing stops it after its current step.
        try await d.setPaused("share", true)
        #expect(await d.status().folders.first?.state == "paused")
        try await d.setPaused("share", false)
        try await d.rescan("share")   // returns once the scan is done
        let status = await d.status().folders.first
        #expect(status?.localFiles == files)
        #expect(status?.state != "scanning")
        await d.shutdown()
    }

    @Test func removedMidScanStops() async throws {
        let dir = TempDir()
        let d = try makeDaemon(dir, name: "a")
        await d.start()
        _ = try makeFolder(dir.path + "/share")
        _ = try await d.addFolder(AddFolderRequest(path: dir.path + "/share", id: "share"))
        try await d.removeFolder("share")   // waits for the step being hashed, then the runner is gone
        #expect(await d.status().folders.isEmpty)
        #expect(await d.listFolders().isEmpty)
        await d.shutdown()
    }
}

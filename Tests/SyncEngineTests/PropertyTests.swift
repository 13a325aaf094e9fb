import Testing
import WireKit
import SyncEngine
import SyncFS
import SyncProtocol

/// Random operation sequences on several devices, with partitions, always converge.
@Suite struct PropertyTests {
    static func randomOperation(on fs: any FileSystem, rng: inout SeededRandom) {
        func randomName() -> String { ["a", "b", "c", "d", "e"][Int(rng.next() % 5)] + (rng.chance(0.3) ? ".txt" : "") }
        func existing(_ wantDir: Bool?) -> String? {
            var all: [String] = []
            func walk(_ dir: String) {
                for name in (try? fs.list(dir)) ?? [] where name != PathPolicy.stateDirectoryName && !name.hasPrefix(PathPolicy.tempPrefix) {
                    let p = dir.isEmpty ? name : dir + "/" + name
                    let kind = ((try? fs.info(p)) ?? nil)?.kind
                    if wantDir == nil || (wantDir == true) == (kind == .directory) { all.append(p) }
                    if kind == .directory { walk(p) }
                }
            }
            walk("")
            return all.isEmpty ? nil : all[Int(rng.next() % UInt64(all.count))]
        }
        let dir = rng.chance(0.5) ? (existing(true) ?? "") : ""
        let path = dir.isEmpty ? randomName() : dir + "/" + randomName()
        switch rng.next() % 9 {
        case 0, 1:
            if ((try? fs.info(path)) ?? nil) == nil { try? fs.writeAll(path, rng.bytes(Int(rng.next() % 40_000))) }
        case 2:
            if let p = existing(false), ((try? fs.info(p)) ?? nil)?.kind == .file { try? fs.writeAll(p, rng.bytes(Int(rng.next() % 40_000))) }
        case 3:
            if let p = existing(false), ((try? fs.info(p)) ?? nil)?.kind == .file, let f = try? fs.openWrite(p, create: false, permissions: 0o644) {
                let size = ((try? fs.info(p)) ?? nil)?.size ?? 0
                try? f.write(rng.bytes(100), at: size)
                f.close()
            }
        case 4:
            if let p = existing(nil) { try? fs.removeRecursively(p) }
        case 5:
            if let p = existing(false), ((try? fs.info(path)) ?? nil) == nil { try? fs.rename(p, to: path) }
        case 6:
            if ((try? fs.info(path)) ?? nil) == nil { try? fs.makeDirectory(path, permissions: 0o755) }
        case 7:
            if let p = existing(false), ((try? fs.info(p)) ?? nil)?.kind == .file { try? fs.setPermissions(p, rng.chance(0.5) ? 0o600 : 0o644) }
        default:
            if ((try? fs.info(path)) ?? nil) == nil { try? fs.makeSymlink(path, target: randomName()) }
        }
    }

    @Test(arguments: [101, 202, 303, 404, 505, 606] as [UInt64])
    func randomOperationsConverge(seed: UInt64) throws {
        try run(seed: seed, fileSystems: nil)
    }

    @Test func randomOperationsConvergeOnDisk() throws {
        let folders = TempFolders(count: 3)
        try run(seed: 707, fileSystems: folders.fileSystems)
    }

    func run(seed: UInt64, fileSystems: [any FileSystem]?) throws {
        let devices = 3
        let c = try Cluster(count: devices, seed: seed, fileSystems: fileSystems)
        var rng = SeededRandom(seed: seed ^ 0xABCDEF)
        c.connectAll()
        for _ in 0..<6 {
            // A random partition: some links down while devices keep editing.
            for a in 0..<devices { for b in (a + 1)..<devices { if rng.chance(0.4) { c.disconnect(a, b) } } }
            for _ in 0..<8 {
                let d = Int(rng.next() % UInt64(devices))
                Self.randomOperation(on: c.fss[d], rng: &rng)
                if rng.chance(0.3) { c.scan(d); c.run() }
            }
            c.converge(maxRounds: 3)
            for a in 0..<devices { for b in (a + 1)..<devices where !c.connected.contains(c.link(a, b)) { c.connect(a, b) } }
        }
        let rounds = c.converge(maxRounds: 15)
        #expect(rounds <= 15, "seed \(seed) did not settle")
        #expect(c.allTreesEqual(), "seed \(seed): \(c.tree(0).keys.sorted()) vs \(c.tree(1).keys.sorted()) vs \(c.tree(2).keys.sorted())")
        #expect(!c.tree(0).values.contains("TEMP"), "seed \(seed): temp files left")
    }
}

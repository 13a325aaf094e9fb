import ArgumentParser
import ControlAPI
import Daemon
import Foundation
import Logging
import ServiceLifecycle

/// `hostile-peer`: a TEST tool, never shipped. It is a normal PeerSync device (the Daemon
/// library: identity, control socket for `syncctl`, pairing by code through the rendezvous
/// server, WebRTC transport) whose folder streams are not served by a sync engine: each one is
/// handed to the next ``Attack`` instead, which speaks the sync protocol badly on purpose.
/// Used by `contrib/system/daemon-scenarios.py --only hostile-peer`.
@main
struct HostilePeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile-peer",
        abstract: "TEST TOOL: a paired device that attacks syncd with hostile sync protocol traffic.",
        discussion: "Attacks: \(Attack.allCases.map(\.rawValue).joined(separator: ", ")). Drive it with syncctl --state-dir like syncd.")

    @Option(name: .customLong("state-dir"), help: "The state folder (identity, index, trust store, control socket).")
    var stateDir: String

    @Option(name: .customLong("attack"), help: "Comma-separated attacks, in order, one per folder stream (or `all`).")
    var attacks: String = "all"

    @Option(name: .long, help: "Where to append one JSON line per finished attack.")
    var report: String

    @Option(name: .long, help: "Absolute path of the canary folder next to the victim's folder.")
    var canary: String

    @Option(name: .long, help: "The canary folder relative to the victim's folder (e.g. ../canary).")
    var escape: String = "../canary"

    @Option(name: .customLong("flood-count"), help: "Entries in the index-flood attack.")
    var floodCount: Int = 1_000_000

    @Option(name: .customLong("fat-seconds"), help: "How long the fat-index attack sends.")
    var fatSeconds: Int = 5

    func validate() throws {
        for name in attackList where Attack(rawValue: name) == nil { throw ValidationError("unknown attack \(name)") }
    }

    var attackList: [String] {
        attacks == "all" ? Attack.allCases.map(\.rawValue) : attacks.split(separator: ",").map(String.init)
    }

    func run() async throws {
        let environment = PeerSyncPaths.processEnvironment()
        let settings = try DaemonConfig.load(configFile: nil, stateDirectory: stateDir, environment: environment)
        let logger = DaemonLogging.bootstrap(config: settings, environment: environment)
        let daemon = try SyncDaemon(config: settings, logger: logger)
        let (links, sink) = AsyncStream<(any PeerLink, String)>.makeStream()
        await daemon.setLinkHandler { link, folder in sink.yield((link, folder)) }
        let plan = AttackPlan(attacks: attackList.compactMap(Attack.init(rawValue:)), deviceID: daemon.deviceID,
                              report: report, canary: canary, escape: escape, floodCount: floodCount, fatSeconds: fatSeconds,
                              links: links, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: DaemonService(daemon: daemon, logger: logger)), .init(service: plan)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Plays the attacks one per incoming folder stream, appending each report to the report file;
/// streams after the last attack are held open and left silent.
struct AttackPlan: Service {
    let attacks: [Attack]
    let deviceID: String
    let report: String
    let canary: String
    let escape: String
    let floodCount: Int
    let fatSeconds: Int
    let links: AsyncStream<(any PeerLink, String)>
    let logger: Logger

    func run() async throws {
        var pending = attacks[...]
        var idle: [any PeerLink] = []
        for await (link, folder) in links.cancelOnGracefulShutdown() {
            guard let attack = pending.popFirst() else { idle.append(link); continue }
            logger.notice("attack \(attack.rawValue) starts", metadata: ["folder": "\(folder)"])
            let frames = HostileFrames(folderID: folder, deviceID: deviceID, indexID: UInt64.random(in: 1...UInt64.max))
            let result = await AttackRunner(attack: attack, link: link, frames: frames, canary: canary, escape: escape, floodCount: floodCount, fatSeconds: fatSeconds).run()
            logger.notice("attack \(attack.rawValue): \(result.outcome) \(result.victimReason ?? "")")
            append(result)
        }
        _ = idle
    }

    private func append(_ result: AttackRunner.Report) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(result) else { return }
        line.append(0x0A)
        if let h = FileHandle(forWritingAtPath: report) {
            h.seekToEndOfFile()
            h.write(line)
            h.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: report, contents: line)
        }
    }
}

import ControlAPI
import Foundation
import SyncFS

extension SyncDaemon: ControlBackend {
    /// This device's ID and name.
    public func identityInfo() -> IdentityInfo { IdentityInfo(deviceID: deviceID, name: config.deviceName) }

    /// Paired devices with their connection state.
    public func listDevices() async -> [DeviceInfo] {
        var connected = Set<String>()
        var traffic: [String: (UInt64, UInt64)] = [:]
        for r in runners.values {
            for (peer, t) in await r.trafficCounters() {
                traffic[peer, default: (0, 0)].0 += t.bytesIn
                traffic[peer, default: (0, 0)].1 += t.bytesOut
            }
            for peer in await r.connectedDevices { connected.insert(peer) }
        }
        let links = await transport?.linkStatus() ?? [:]
        let problems = await transport?.connectionProblems() ?? [:]
        for peer in links.keys { connected.insert(peer); lastSeen[peer] = Date() }
        return trust.devices.values.sorted { $0.id < $1.id }.map { d in
            DeviceInfo(id: d.id, name: d.name, connected: connected.contains(d.id), connectionType: links[d.id]?.type,
                       rttMilliseconds: links[d.id]?.rtt,
                       bytesIn: traffic[d.id]?.0 ?? 0, bytesOut: traffic[d.id]?.1 ?? 0,
                       lastSeen: lastSeen[d.id]?.timeIntervalSince1970, problem: connected.contains(d.id) ? nil : problems[d.id])
        }
    }

    /// Pairs a device by ID.
    public func addDevice(_ request: AddDeviceRequest) async throws(DaemonError) -> DeviceInfo {
        guard (try? TrustStore.canonical(request.id)) != deviceID else {
            throw .badRequest("that is this device's own ID", hint: "run `syncctl id` on the other device and add its ID here")
        }
        let d = try trust.add(id: request.id, name: request.name)
        logger.info("device paired by ID", metadata: ["device": "\(d.id)"])
        await transport?.configurationChanged()
        return DeviceInfo(id: d.id, name: d.name)
    }

    /// Unpairs a device: it is removed from every folder and disconnected.
    public func removeDevice(_ id: String) async throws(DaemonError) {
        let canonical = try TrustStore.canonical(id)
        try trust.remove(id: canonical)
        for (fid, var f) in folders where f.devices.contains(canonical) {
            f.devices.removeAll { $0 == canonical }
            folders[fid] = f
            await runners[fid]?.disconnect(canonical)
        }
        try saveFolders()
        await transport?.configurationChanged()
    }

    /// Renames a paired device.
    public func renameDevice(_ id: String, to name: String) throws(DaemonError) { try trust.rename(id: id, to: name) }

    /// Every folder.
    public func listFolders() -> [FolderInfo] {
        folders.values.sorted { $0.id < $1.id }.map { FolderInfo(id: $0.id, path: $0.path, mode: $0.mode, paused: $0.paused, devices: $0.devices) }
    }

    /// Adds a folder (creating its directory) and starts syncing it.
    public func addFolder(_ request: AddFolderRequest) async throws(DaemonError) -> FolderInfo {
        guard request.path.hasPrefix("/") else { throw .badRequest("folder path \(request.path) is not absolute", hint: nil) }
        let path = URL(fileURLWithPath: request.path).standardizedFileURL.path
        let id = request.id ?? Self.randomFolderID()
        try FolderSettings.validateID(id)
        guard folders[id] == nil else { throw .conflict("folder \(id) already exists", hint: "pick another --id, or remove it first") }
        if let other = folders.values.first(where: { $0.path == path || path.hasPrefix($0.path + "/") || $0.path.hasPrefix(path + "/") }) {
            throw .conflict("\(path) overlaps folder \(other.id) at \(other.path)", hint: "folders may not contain each other")
        }
        let mode = request.mode ?? "send-receive"
        _ = try FolderSettings.engineMode(mode)
        var devices: [String] = []
        for d in request.devices {
            let c = try TrustStore.canonical(d)
            guard trust.isTrusted(c) else { throw .badRequest("device \(c) is not paired", hint: "pair it first: `syncctl devices add \(c)` or `syncctl pair`") }
            devices.append(c)
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(path): \(error.localizedDescription)")
        }
        let f = FolderSettings(id: id, path: path, mode: mode, paused: false, devices: devices)
        folders[id] = f
        try saveFolders()
        await startRunner(f)
        logger.info("folder added", metadata: ["folder": "\(id)"])
        await transport?.configurationChanged()
        return FolderInfo(id: id, path: path, mode: mode, paused: false, devices: devices)
    }

    /// Stops syncing a folder and forgets it (files stay on disk).
    public func removeFolder(_ id: String) async throws(DaemonError) {
        guard folders.removeValue(forKey: id) != nil else { throw Self.noFolder(id) }
        await runners.removeValue(forKey: id)?.stop()
        try saveFolders()
        await transport?.configurationChanged()
    }

    /// Pauses or resumes a folder.
    public func setPaused(_ id: String, _ paused: Bool) async throws(DaemonError) {
        guard var f = folders[id] else { throw Self.noFolder(id) }
        guard f.paused != paused else { return }
        f.paused = paused
        folders[id] = f
        try saveFolders()
        if paused { await runners.removeValue(forKey: id)?.stop() } else { await startRunner(f) }
        await transport?.configurationChanged()
    }

    /// Rescans a folder now.
    public func rescan(_ id: String) async throws(DaemonError) {
        guard folders[id] != nil else { throw Self.noFolder(id) }
        guard let r = runners[id] else { throw .conflict("folder \(id) is paused", hint: "resume it: `syncctl folders resume \(id)`") }
        await r.rescan()
    }

    /// Changes a folder's mode (its engine restarts; peers reconnect through the transport).
    public func setMode(_ id: String, _ mode: String) async throws(DaemonError) {
        guard var f = folders[id] else { throw Self.noFolder(id) }
        _ = try FolderSettings.engineMode(mode)
        f.mode = mode
        folders[id] = f
        try saveFolders()
        if let r = runners.removeValue(forKey: id) { await r.stop(); await startRunner(f) }
        await transport?.configurationChanged()
    }

    /// The folder's `.syncignore` lines.
    public func ignorePatterns(_ id: String) throws(DaemonError) -> IgnorePatterns {
        guard let f = folders[id] else { throw Self.noFolder(id) }
        let text = (try? String(contentsOfFile: f.path + "/" + IgnoreRules.fileName, encoding: .utf8)) ?? ""
        return IgnorePatterns(patterns: text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
    }

    /// Replaces the folder's `.syncignore` (it syncs like any file) and rescans.
    public func setIgnorePatterns(_ id: String, _ patterns: IgnorePatterns) async throws(DaemonError) {
        guard let f = folders[id] else { throw Self.noFolder(id) }
        guard patterns.patterns.count <= IgnoreRules.maxPatterns, !patterns.patterns.contains(where: { $0.contains("\n") }) else {
            throw .badRequest("bad ignore patterns", hint: "one pattern per entry, at most \(IgnoreRules.maxPatterns)")
        }
        let text = patterns.patterns.isEmpty ? "" : patterns.patterns.joined(separator: "\n") + "\n"
        do { try text.write(toFile: f.path + "/" + IgnoreRules.fileName, atomically: true, encoding: .utf8) } catch {
            throw .io("writing \(f.path)/\(IgnoreRules.fileName): \(error.localizedDescription)")
        }
        await runners[id]?.rescan()
    }

    /// Status of every folder and device.
    public func status() async -> StatusReport {
        var list: [FolderStatus] = []
        for f in folders.values.sorted(by: { $0.id < $1.id }) {
            if let r = runners[f.id] { list.append(await r.status(paused: f.paused)) } else {
                list.append(FolderStatus(id: f.id, path: f.path, state: f.paused ? "paused" : "error", progress: 0,
                                         error: f.paused ? nil : "the folder could not be started; see the log"))
            }
        }
        let calls = await callList()
        return StatusReport(identity: identityInfo(), folders: list, devices: await listDevices(), call: calls.first, calls: calls.nilIfEmpty,
                            screens: await screenStatus().nilIfEmpty)
    }

    /// Conflict copies in every folder.
    public func conflicts() async -> [ConflictInfo] {
        var all: [ConflictInfo] = []
        for id in runners.keys.sorted() { all += await runners[id]?.conflicts() ?? [] }
        return all
    }

    /// Resolves a conflict by keeping one side.
    public func resolveConflict(_ request: ResolveConflictRequest) async throws(DaemonError) {
        guard let r = runners[request.folder] else { throw Self.noFolder(request.folder) }
        try await r.resolve(copy: request.copy, keep: request.keep)
    }

    /// Creates a pairing code through the rendezvous server; pairing completes in the background.
    public func createPairingCode() async throws(DaemonError) -> PairingInfo {
        guard let transport else { throw Self.pairingUnavailable() }
        return try await transport.createPairingCode()
    }

    /// Joins with a pairing code and waits for the outcome.
    public func joinPairing(_ request: JoinPairingRequest) async throws(DaemonError) -> PairingInfo {
        guard let transport else { throw Self.pairingUnavailable() }
        return try await transport.joinPairing(code: request.code)
    }

    /// Where the pairing of a code stands.
    public func pairingStatus(_ code: String) async throws(DaemonError) -> PairingInfo {
        guard let transport else { throw Self.pairingUnavailable() }
        return try await transport.pairingStatus(code: code)
    }

    /// The event stream.
    public nonisolated func subscribeEvents() -> AsyncStream<ControlEvent> { events.subscribe() }

    static func pairingUnavailable() -> DaemonError {
        .unavailable("pairing by code needs a rendezvous server, and none is configured",
                      hint: "set rendezvousURL in the configuration (or PEERSYNC_RENDEZVOUS_URL) and restart syncd, or pair by ID: `syncctl id` on each device and `syncctl devices add <ID>` on the other")
    }

    static func noFolder(_ id: String) -> DaemonError { .notFound("no folder \(id)", hint: "see `syncctl folders list`") }

    static func randomFolderID() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyz23456789")
        return String((0..<5).map { _ in alphabet.randomElement() ?? "a" }) + "-" + String((0..<5).map { _ in alphabet.randomElement() ?? "a" })
    }
}

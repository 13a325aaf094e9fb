import ControlAPI
import DTLS
import Foundation
import Logging
import SyncEngine
import SyncStore

/// syncd's core: the identity, the trust store, the index database, one ``FolderRunner`` per
/// folder, and the links to peers. The control API (``ControlService``) and the transport
/// (``PeerTransport``, WebRTC through a rendezvous server) call into it.
public actor SyncDaemon {
    /// The configuration it runs with.
    public nonisolated let config: DaemonConfig
    /// This device's DTLS identity (its certificate is its device ID).
    public nonisolated let identity: DeviceIdentity
    /// Events for `GET /events`.
    public nonisolated let events = EventBus()
    let logger: Logger
    let database: SyncDatabase
    let store: SQLiteIndexStore
    var trust: TrustStore
    var folders: [String: FolderSettings] = [:]
    var runners: [String: FolderRunner] = [:]
    var lastSeen: [String: Date] = [:]
    /// The WebRTC transport, when a rendezvous server is configured.
    var transport: PeerTransport?
    let foldersPath: String
    /// Receives accepted links instead of the folder runners (test tools only; see ``setLinkHandler(_:)``).
    var linkHandler: (@Sendable (any PeerLink, String) async -> Void)?

    /// The device ID as text.
    public nonisolated var deviceID: String { identity.deviceID.description }

    /// Opens the state folder (created mode 0700): loads or generates the identity, opens the
    /// index database, loads the trust store and the folder list.
    public init(config: DaemonConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let dir = config.stateDirectory
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw DaemonError.io("cannot create the state folder \(dir): \(error.localizedDescription)")
        }
        do { identity = try DeviceIdentity.loadOrGenerate(at: dir + "/identity.pem") } catch {
            throw DaemonError.io("cannot load or create the device identity in \(dir)/identity.pem: \(error)")
        }
        do { database = try SyncDatabase(path: dir + "/index.sqlite") } catch {
            throw DaemonError.io("cannot open the index database \(dir)/index.sqlite: \(error)")
        }
        store = SQLiteIndexStore(database: database)
        do { trust = try TrustStore(path: dir + "/devices.json") } catch {
            throw DaemonError.io("cannot read the trust store \(dir)/devices.json: \(error)")
        }
        foldersPath = dir + "/folders.json"
        do {
            for f in try JSONFile.read([FolderSettings].self, from: foldersPath) ?? [] { folders[f.id] = f }
        } catch {
            throw DaemonError.io("cannot read the folder list \(foldersPath): \(error)")
        }
    }

    /// Starts every folder that is not paused.
    public func start() async {
        logger.info("syncd started", metadata: ["device": "\(deviceID)"])
        for f in folders.values.sorted(by: { $0.id < $1.id }) where !f.paused {
            await startRunner(f)
        }
    }

    /// Stops every folder (each finishes the write in progress), closes links, checkpoints the database.
    public func shutdown() async {
        for (_, r) in runners { await r.stop() }
        runners.removeAll()
        // A background checkpoint still running would make the truncating one report "busy".
        let database = self.database
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { database.waitForCheckpoints(); done.resume() }
        }
        do {
            try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            logger.error("database checkpoint failed: \(error)")
        }
        events.finish()
        logger.info("syncd stopped")
    }

    func startRunner(_ f: FolderSettings) async {
        do {
            let runner = try FolderRunner(settings: f, deviceID: deviceID, deviceName: config.deviceName, store: store,
                                          daemon: config, bus: events, logger: logger)
            runners[f.id] = runner
            await runner.start()
        } catch {
            logger.error("cannot start folder: \(error)", metadata: ["folder": "\(f.id)"])
        }
    }

    func saveFolders() throws(DaemonError) {
        do { try JSONFile.write(folders.values.sorted { $0.id < $1.id }, to: foldersPath) } catch {
            throw .io("saving the folder list \(foldersPath): \(error)")
        }
    }

    // MARK: Peer links

    /// Attaches an authenticated link for `folderID`. Refused (and closed) unless the peer is
    /// paired and the folder is shared with it and running; returns whether it was accepted.
    @discardableResult
    public func attach(_ link: any PeerLink, folderID: String) async -> Bool {
        let peer = link.peerDeviceID
        guard trust.isTrusted(peer) else {
            logger.warning("refused a connection from an unpaired device", metadata: ["device": "\(peer)"])
            await link.close()
            return false
        }
        guard let f = folders[folderID], f.devices.contains(peer), let runner = runners[folderID] else {
            logger.info("refused folder \(folderID): not shared with this device or paused", metadata: ["device": "\(peer)"])
            await link.close()
            return false
        }
        _ = f
        lastSeen[peer] = Date()
        if let linkHandler {
            await linkHandler(link, folderID)
            return true
        }
        await runner.connect(link)
        return true
    }

    /// Hands every accepted folder link (after the trust and sharing checks) to `handler`
    /// instead of the folder's runner. For test tools that drive the sync protocol themselves
    /// (`hostile-peer`); syncd never sets it.
    public func setLinkHandler(_ handler: @escaping @Sendable (any PeerLink, String) async -> Void) {
        linkHandler = handler
    }

    /// The folders shared with `deviceID` that are running (what a transport opens links for).
    public func sharedFolders(with deviceID: String) -> [String] {
        folders.values.filter { $0.devices.contains(deviceID) && !$0.paused }.map(\.id).sorted()
    }

    /// The paired device a DTLS peer proved to be (its certificate fingerprint equals a paired ID), or nil.
    public func admit(fingerprint: CertificateFingerprint) -> String? { trust.admit(fingerprint: fingerprint) }

    /// Installs the transport (called once by ``DaemonService`` before it runs).
    public func setTransport(_ t: PeerTransport) { transport = t }

    /// True when `deviceID` is paired.
    public func isTrusted(_ deviceID: String) -> Bool { trust.isTrusted(deviceID) }

    /// The paired device IDs.
    public func trustedDeviceIDs() -> [String] { trust.devices.keys.sorted() }

    /// The paired device `text` names: its ID, a unique prefix of it, or its name.
    func resolveDevice(_ text: String) throws(DaemonError) -> (id: String, name: String) {
        if let c = try? TrustStore.canonical(text), let d = trust.devices[c] { return (d.id, d.name) }
        let key = text.uppercased().replacingOccurrences(of: "-", with: "")
        let byPrefix = trust.devices.values.filter { !key.isEmpty && $0.id.replacingOccurrences(of: "-", with: "").hasPrefix(key) }
        let byName = trust.devices.values.filter { $0.name == text }
        let matches = byName.isEmpty ? byPrefix : byName
        guard matches.count == 1, let d = matches.first else {
            throw matches.isEmpty
                ? .notFound("no paired device \(text)", hint: "see `syncctl devices list` for names and IDs")
                : .badRequest("\(text) matches \(matches.count) devices", hint: "give more of the device ID")
        }
        return (d.id, d.name)
    }

    /// A paired device's connection was verified (for `lastSeen`).
    func peerConnected(_ deviceID: String) {
        lastSeen[deviceID] = Date()
    }

    /// Trusts a device that completed pairing by code.
    func pairedByCode(deviceID: String, name: String?) async throws(DaemonError) {
        guard deviceID != self.deviceID else { throw .badRequest("the code was used on this same device", hint: "run `syncctl pair <code>` on the other device") }
        _ = try trust.add(id: deviceID, name: name)
        await transport?.configurationChanged()
    }

    /// True while some folder scans or syncs.
    public func isBusy() async -> Bool {
        await briefStates().contains { $0 == "syncing" || $0 == "scanning" }
    }

    /// Each folder's state (syncing, scanning, idle, paused, …) without counting what it needs.
    private func briefStates() async -> [String] {
        var states: [String] = []
        for (id, r) in runners { states.append(await r.briefState(paused: folders[id]?.paused ?? false)) }
        return states
    }

    /// A one-line summary for systemd's STATUS.
    public func summary() async -> String {
        let syncing = await briefStates().filter { $0 == "syncing" }.count
        var connected = Set<String>()
        for r in runners.values { connected.formUnion(await r.connectedDevices) }
        return "\(folders.count) folders (\(syncing) syncing), \(connected.count)/\(trust.devices.count) devices connected"
    }
}

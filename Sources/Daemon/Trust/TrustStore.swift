import DTLS

/// The paired devices: only these may connect, and only when the DTLS peer certificate's
/// fingerprint equals the device ID (the SHA-256 of the certificate). Persisted as
/// `devices.json` in the state folder.
public struct TrustStore: Sendable, Equatable {
    /// A paired device.
    public struct Device: Codable, Sendable, Equatable {
        /// The device ID (canonical text form).
        public var id: String
        /// The name given to it.
        public var name: String
    }

    /// The paired devices, by device ID.
    public private(set) var devices: [String: Device] = [:]
    let path: String?

    /// An empty store that is not persisted (tests).
    public init() { path = nil }

    /// Loads the store at `path` (empty when the file does not exist yet).
    public init(path: String) throws {
        self.path = path
        for d in try JSONFile.read([Device].self, from: path) ?? [] { devices[d.id] = d }
    }

    /// Canonical text of a device ID typed by a person or sent by a peer.
    public static func canonical(_ text: String) throws(DaemonError) -> String {
        do { return try DeviceID(parsing: text).description } catch {
            throw .badRequest("\(text) is not a device ID (\(error))", hint: "copy it from `syncctl id` on the other device")
        }
    }

    /// Adds (or renames) a device.
    public mutating func add(id: String, name: String?) throws(DaemonError) -> Device {
        let canonical = try Self.canonical(id)
        let device = Device(id: canonical, name: name ?? devices[canonical]?.name ?? String(canonical.prefix(7)))
        devices[canonical] = device
        try save()
        return device
    }

    /// Removes a device; throws when it is not paired.
    public mutating func remove(id: String) throws(DaemonError) {
        let canonical = try Self.canonical(id)
        guard devices.removeValue(forKey: canonical) != nil else { throw .notFound("device \(canonical) is not paired", hint: "see `syncctl devices list`") }
        try save()
    }

    /// Renames a device.
    public mutating func rename(id: String, to name: String) throws(DaemonError) {
        let canonical = try Self.canonical(id)
        guard devices[canonical] != nil else { throw .notFound("device \(canonical) is not paired", hint: "see `syncctl devices list`") }
        devices[canonical]?.name = name
        try save()
    }

    /// True when `deviceID` is paired.
    public func isTrusted(_ deviceID: String) -> Bool {
        guard let canonical = try? Self.canonical(deviceID) else { return false }
        return devices[canonical] != nil
    }

    /// The paired device a DTLS peer proved to be, or nil: the certificate fingerprint must be
    /// SHA-256 and equal a paired device ID.
    public func admit(fingerprint: CertificateFingerprint) -> String? {
        guard fingerprint.algorithm == .sha256, let id = DeviceID(digest: fingerprint.digest) else { return nil }
        return devices[id.description] != nil ? id.description : nil
    }

    func save() throws(DaemonError) {
        guard let path else { return }
        do { try JSONFile.write(devices.values.sorted { $0.id < $1.id }, to: path) } catch {
            throw .io("saving the trust store \(path): \(error)")
        }
    }
}

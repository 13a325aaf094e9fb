/// This device's identity as the control API reports it.
public struct IdentityInfo: Codable, Sendable, Equatable {
    /// The device ID (SHA-256 of the DTLS certificate, base32 groups).
    public var deviceID: String
    /// The human-readable device name.
    public var name: String
    /// Creates an identity report.
    public init(deviceID: String, name: String) { self.deviceID = deviceID; self.name = name }
}

/// A paired device and its connection state.
public struct DeviceInfo: Codable, Sendable, Equatable {
    /// The device ID.
    public var id: String
    /// The name given to the device.
    public var name: String
    /// True while a connection to it is open.
    public var connected: Bool
    /// The ICE candidate type in use (`host`, `srflx`, `relay`), when connected over WebRTC.
    public var connectionType: String?
    /// Round-trip time in milliseconds, when known.
    public var rttMilliseconds: Double?
    /// Sync bytes received from it since start.
    public var bytesIn: UInt64
    /// Sync bytes sent to it since start.
    public var bytesOut: UInt64
    /// When it was last connected (seconds since 1970), if ever.
    public var lastSeen: Double?
    /// While not connected: why the last connection attempt failed, with what the STUN/TURN
    /// servers reported (e.g. a TURN server that does not answer when a relay is needed).
    public var problem: String?
    /// Creates a device report.
    public init(id: String, name: String, connected: Bool = false, connectionType: String? = nil, rttMilliseconds: Double? = nil,
                bytesIn: UInt64 = 0, bytesOut: UInt64 = 0, lastSeen: Double? = nil, problem: String? = nil) {
        self.id = id; self.name = name; self.connected = connected; self.connectionType = connectionType
        self.rttMilliseconds = rttMilliseconds; self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.lastSeen = lastSeen
        self.problem = problem
    }
}

/// Body of `POST /devices`: pair a device by its ID.
public struct AddDeviceRequest: Codable, Sendable, Equatable {
    /// The device ID to trust.
    public var id: String
    /// A name for it (defaults to the ID's first group).
    public var name: String?
    /// Creates the request.
    public init(id: String, name: String? = nil) { self.id = id; self.name = name }
}

/// Body of `POST /devices/{id}/rename`.
public struct RenameRequest: Codable, Sendable, Equatable {
    /// The new name.
    public var name: String
    /// Creates the request.
    public init(name: String) { self.name = name }
}

/// A pairing code and what became of it.
public struct PairingInfo: Codable, Sendable, Equatable {
    /// The code to type on the other device (e.g. `7-ember-lantern`).
    public var code: String
    /// `waiting`, `paired` or `failed`.
    public var state: String
    /// The device paired through this code, once paired.
    public var deviceID: String?
    /// Why pairing failed, when it failed.
    public var message: String?
    /// Creates a pairing report.
    public init(code: String, state: String, deviceID: String? = nil, message: String? = nil) {
        self.code = code; self.state = state; self.deviceID = deviceID; self.message = message
    }
}

/// Body of `POST /pairing/join`.
public struct JoinPairingRequest: Codable, Sendable, Equatable {
    /// The code printed by the other device.
    public var code: String
    /// Creates the request.
    public init(code: String) { self.code = code }
}

import WireKit

/// What each side tells the other once SPAKE2 has confirmed the shared key: who it is and
/// where it can be reached. Sent encrypted with AES-256-GCM under a key derived from `Ke`.
public struct PairingPeerInfo: Hashable, Sendable {
    /// The device ID (SHA-256 of the device certificate, base32 groups).
    public var deviceID: String
    /// A human-readable device name.
    public var deviceName: String
    /// The rendezvous URL where the device can be signalled.
    public var signalingURL: String

    /// Limits on each field in UTF-8 bytes.
    public static let maxDeviceIDBytes = 128
    /// Limit on the device name in UTF-8 bytes.
    public static let maxDeviceNameBytes = 256
    /// Limit on the signaling URL in UTF-8 bytes.
    public static let maxURLBytes = 2048

    /// Peer information.
    public init(deviceID: String, deviceName: String, signalingURL: String) {
        self.deviceID = deviceID
        self.deviceName = deviceName
        self.signalingURL = signalingURL
    }

    /// True when every field is within its limit and the device ID is not empty.
    public var isValid: Bool {
        !deviceID.isEmpty && deviceID.utf8.count <= Self.maxDeviceIDBytes
            && deviceName.utf8.count <= Self.maxDeviceNameBytes && signalingURL.utf8.count <= Self.maxURLBytes
    }

    /// Encoding: version 1, then three UTF-8 strings each with a 16-bit big-endian length.
    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 8 + deviceID.utf8.count + deviceName.utf8.count + signalingURL.utf8.count)
        w.writeUInt8(1)
        for field in [deviceID, deviceName, signalingURL] {
            w.writeUInt16(UInt16(clamping: field.utf8.count))
            w.writeBytes(field.utf8)
        }
        return w.take()
    }

    /// Decodes and validates; nil for anything malformed or over the limits.
    init?(decoding bytes: [UInt8]) {
        var r = ByteReader(bytes)
        do {
            guard try r.readUInt8() == 1 else { return nil }
            var fields: [String] = []
            for _ in 0..<3 {
                let n = Int(try r.readUInt16())
                let raw = try r.readBytes(n)
                let s = String(decoding: raw, as: UTF8.self)
                guard s.utf8.elementsEqual(raw) else { return nil }
                fields.append(s)
            }
            guard r.isAtEnd else { return nil }
            self.init(deviceID: fields[0], deviceName: fields[1], signalingURL: fields[2])
        } catch {
            return nil
        }
        guard isValid else { return nil }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Binary fields travel as standard base64 (RFC 4648 §4, with padding) in JSON strings.
extension KeyedDecodingContainer {
    /// Decodes a base64 string field into bytes, refusing more than `maxBytes`.
    func decodeBase64(forKey key: Key, maxBytes: Int) throws -> [UInt8] {
        let text = try decode(String.self, forKey: key)
        guard text.utf8.count <= (maxBytes + 2) / 3 * 4, let data = Data(base64Encoded: text), data.count <= maxBytes else {
            throw SignalingParseError.invalidField(key.stringValue, "must be base64 of at most \(maxBytes) bytes")
        }
        return [UInt8](data)
    }
}

extension KeyedEncodingContainer {
    /// Encodes bytes as a base64 string field.
    mutating func encodeBase64(_ bytes: [UInt8], forKey key: Key) throws {
        try encode(Data(bytes).base64EncodedString(), forKey: key)
    }
}

/// Field rules shared by the frame types.
enum SignalingValidation {
    /// Device IDs are base32 (A–Z, 2–7) in groups joined by `-`, 1–128 characters.
    static func deviceID(_ id: String, field: String) throws(SignalingParseError) {
        guard !id.isEmpty, id.utf8.count <= SignalingLimits.maxDeviceIDLength,
              id.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x32 && $0 <= 0x37) || $0 == 0x2D }) else {
            throw .invalidField(field, "device IDs are 1–128 characters of A–Z, 2–7 and '-'")
        }
    }

    /// Request IDs are 1–64 printable ASCII characters.
    static func requestID(_ id: String?, field: String = "id") throws(SignalingParseError) {
        guard let id else { return }
        guard !id.isEmpty, id.utf8.count <= SignalingLimits.maxRequestIDLength,
              id.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw .invalidField(field, "request IDs are 1–64 printable ASCII characters")
        }
    }

    /// Nameplates are 0–999999.
    static func nameplate(_ n: UInt32) throws(SignalingParseError) {
        guard n <= SignalingLimits.maxNameplate else { throw .invalidField("nameplate", "must be 0–999999") }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The flat JSON object every frame is on the wire: a `type` and the fields of all message
/// types, each optional. Decoding into it never trusts the input; `SignalingCodec` checks
/// which fields a given `type` needs.
struct WireFrame: Codable {
    var type: String?
    // auth
    var certificate: String?
    var publicKey: String?
    var signature: String?
    var signatureFormat: String?
    // signal / presence / welcome
    var to: String?
    var from: String?
    var device: String?
    var devices: [String]?
    var online: Bool?
    var payload: String?
    // rooms
    var room: String?
    var outcome: String?
    var reason: String?
    var expiresIn: Int?
    // hello
    var version: Int?
    var nonce: String?
    var server: String?
    // error / ping
    var code: String?
    var message: String?
    var ref: String?
    var id: String?

    init(type: String) { self.type = type }
}

extension Data {
    /// Standard base64 (RFC 4648 §4, with padding) of these bytes.
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

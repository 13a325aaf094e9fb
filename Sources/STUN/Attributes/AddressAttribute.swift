import WireKit

/// The wire form shared by MAPPED-ADDRESS and the XOR-…-ADDRESS attributes (RFC 8489 §14.1–14.2).
enum AddressAttribute {
    static let magicCookie: UInt32 = 0x2112_A442

    /// Decodes an address value; `xorWith` is the transaction ID for XOR forms, nil for plain.
    static func decode(_ value: ArraySlice<UInt8>, type: UInt16, xorWith transactionID: STUNTransactionID?) throws(STUNParseError) -> TransportAddress {
        var r = ByteReader(Array(value))
        do {
            _ = try r.readUInt8()
            let family = try r.readUInt8()
            var port = try r.readUInt16()
            let addressBytes: [UInt8]
            switch family {
            case 0x01: addressBytes = try r.readBytes(4)
            case 0x02: addressBytes = try r.readBytes(16)
            default: throw STUNParseError.badAttribute(type: type, reason: "unknown address family \(family)")
            }
            guard r.isAtEnd else { throw STUNParseError.badAttribute(type: type, reason: "trailing bytes") }
            var bytes = addressBytes
            if let id = transactionID {
                port ^= UInt16(magicCookie >> 16)
                let mask = xorMask(id)
                for i in bytes.indices { bytes[i] ^= mask[i] }
            }
            guard let ip = IPAddress(bytes: bytes) else { throw STUNParseError.badAttribute(type: type, reason: "address size") }
            return TransportAddress(ip: ip, port: port)
        } catch let e as STUNParseError {
            throw e
        } catch let e as WireParseError {
            throw STUNParseError.badAttribute(type: type, reason: e.description)
        } catch {
            throw STUNParseError.badAttribute(type: type, reason: "\(error)")
        }
    }

    /// Encodes an address value (without the TLV header).
    static func encode(_ address: TransportAddress, xorWith transactionID: STUNTransactionID?) -> [UInt8] {
        var w = ByteWriter(capacity: 20)
        w.writeUInt8(0)
        w.writeUInt8(address.ip.isIPv4 ? 0x01 : 0x02)
        var bytes = address.ip.bytes
        var port = address.port
        if let id = transactionID {
            port ^= UInt16(magicCookie >> 16)
            let mask = xorMask(id)
            for i in bytes.indices { bytes[i] ^= mask[i] }
        }
        w.writeUInt16(port)
        w.writeBytes(bytes)
        return w.bytes
    }

    private static func xorMask(_ id: STUNTransactionID) -> [UInt8] {
        [0x21, 0x12, 0xA4, 0x42] + id.bytes
    }
}

import WireKit

/// A Data Channel Establishment Protocol message (RFC 8832 §5), sent with PPID 50.
public enum DCEPMessage: Sendable, Equatable {
    /// DATA_CHANNEL_OPEN (type 0x03).
    case open(DCEPOpen)
    /// DATA_CHANNEL_ACK (type 0x02).
    case ack

    /// Parses a DCEP message; never traps on hostile input.
    public static func parse(_ bytes: [UInt8]) throws(DataChannelParseError) -> DCEPMessage {
        var r = ByteReader(bytes)
        do {
            switch try r.readUInt8() {
            case 0x02: return .ack
            case 0x03:
                let channelType = try r.readUInt8()
                let priority = try r.readUInt16()
                let parameter = try r.readUInt32()
                let labelLength = Int(try r.readUInt16())
                let protocolLength = Int(try r.readUInt16())
                let label = try r.readUTF8(labelLength)
                let proto = try r.readUTF8(protocolLength)
                guard let type = DCEPOpen.ChannelType(rawValue: channelType) else {
                    throw DataChannelParseError.unknownChannelType(channelType)
                }
                return .open(DCEPOpen(channelType: type, priority: priority, reliabilityParameter: parameter, label: label, protocol: proto))
            case let other:
                throw DataChannelParseError.unknownMessageType(other)
            }
        } catch let e as WireParseError {
            throw .wire(e)
        } catch let e as DataChannelParseError {
            throw e
        } catch {
            throw .wire(.malformed("\(error)"))
        }
    }

    /// Serializes the message.
    public func serialize() -> [UInt8] {
        switch self {
        case .ack: return [0x02]
        case .open(let o):
            let label = Array(o.label.utf8), proto = Array(o.protocol.utf8)
            var w = ByteWriter(capacity: 12 + label.count + proto.count)
            w.writeUInt8(0x03)
            w.writeUInt8(o.channelType.rawValue)
            w.writeUInt16(o.priority)
            w.writeUInt32(o.reliabilityParameter)
            w.writeUInt16(UInt16(truncatingIfNeeded: label.count))
            w.writeUInt16(UInt16(truncatingIfNeeded: proto.count))
            w.writeBytes(label)
            w.writeBytes(proto)
            return w.take()
        }
    }
}

/// The body of DATA_CHANNEL_OPEN.
public struct DCEPOpen: Sendable, Equatable {
    /// Channel type: ordering and partial reliability policy.
    public enum ChannelType: UInt8, Sendable {
        /// Ordered, reliable.
        case reliable = 0x00
        /// Unordered, reliable.
        case reliableUnordered = 0x80
        /// Ordered, limited retransmissions.
        case partialReliableRexmit = 0x01
        /// Unordered, limited retransmissions.
        case partialReliableRexmitUnordered = 0x81
        /// Ordered, limited lifetime.
        case partialReliableTimed = 0x02
        /// Unordered, limited lifetime.
        case partialReliableTimedUnordered = 0x82

        /// True for the unordered variants.
        public var unordered: Bool { rawValue & 0x80 != 0 }
    }

    /// Ordering and reliability.
    public var channelType: ChannelType
    /// Priority (RFC 8831 §6.4: 128 below normal, 256 normal, 512 high, 1024 extra high).
    public var priority: UInt16
    /// Retransmissions or lifetime in milliseconds, per `channelType`.
    public var reliabilityParameter: UInt32
    /// The channel label.
    public var label: String
    /// The sub-protocol.
    public var `protocol`: String

    /// Creates an OPEN body.
    public init(channelType: ChannelType, priority: UInt16, reliabilityParameter: UInt32, label: String, protocol: String) {
        self.channelType = channelType; self.priority = priority; self.reliabilityParameter = reliabilityParameter
        self.label = label; self.protocol = `protocol`
    }
}

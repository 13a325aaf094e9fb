/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 8866 §6.6).
public struct SDPRTPMap: Hashable, Sendable, CustomStringConvertible {
    /// The dynamic or static RTP payload type (0–127).
    public var payloadType: UInt8
    /// The encoding name as written (`opus`, `VP8`, `rtx`, `telephone-event`…).
    public var encodingName: String
    /// The RTP clock rate in Hz.
    public var clockRate: UInt32
    /// Encoding parameters as written (for audio: the channel count), if present.
    public var encodingParameters: String?

    /// An rtpmap entry.
    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, encodingParameters: String? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.encodingParameters = encodingParameters
    }

    /// The channel count for audio encodings (1 when absent, nil when not a number).
    public var channels: Int? {
        guard let p = encodingParameters else { return 1 }
        return SDPScalars.number(p, as: UInt8.self).map(Int.init)
    }

    /// The attribute value.
    public var description: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (encodingParameters.map { "/" + $0 } ?? "")
    }

    /// Parses an attribute value such as `111 opus/48000/2`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let (head, rest) = SDPScalars.splitFirstSpace(value)
        guard let pt = SDPScalars.number(head, as: UInt8.self), pt <= 127, let rest else {
            throw SDPAttributeValueError("rtpmap must start with a payload type 0–127 and a space")
        }
        let parts = rest.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, SDPScalars.isNonSpaceString(parts[0]),
              let rate = SDPScalars.number(parts[1], as: UInt32.self) else {
            throw SDPAttributeValueError("rtpmap encoding must be `<name>/<clock rate>[/<parameters>]`")
        }
        if parts.count == 3, !SDPScalars.isNonSpaceString(parts[2]) {
            throw SDPAttributeValueError("rtpmap encoding parameters must not be empty")
        }
        self.init(payloadType: pt, encodingName: String(parts[0]), clockRate: rate,
                  encodingParameters: parts.count == 3 ? String(parts[2]) : nil)
    }
}

/// `a=fmtp:<format> <format specific parameters>` (RFC 8866 §6.15): parameters are kept
/// as written; ``parameterPairs`` splits the usual `k=v;k=v` form.
public struct SDPFormatParameters: Hashable, Sendable, CustomStringConvertible {
    /// The format (payload type) these parameters apply to, as written.
    public var format: String
    /// The parameters exactly as written after the first space.
    public var parameters: String

    /// Parameters for `format`.
    public init(format: String, parameters: String) {
        self.format = format
        self.parameters = parameters
    }

    /// The payload type when ``format`` is a number 0–127.
    public var payloadType: UInt8? { SDPScalars.number(format, as: UInt8.self).flatMap { $0 <= 127 ? $0 : nil } }

    /// `key=value` pairs split on `;` (whitespace trimmed); a part without `=` has an empty
    /// value (e.g. `0-15` for telephone-event, `111/111` for RED).
    public var parameterPairs: [(key: String, value: String)] {
        parameters.split(separator: ";").compactMap { part in
            let trimmed = part.drop(while: { $0 == " " })
            guard !trimmed.isEmpty else { return nil }
            if let eq = trimmed.firstIndex(of: "=") {
                return (String(trimmed[..<eq]), String(trimmed[trimmed.index(after: eq)...]))
            }
            return (String(trimmed), "")
        }
    }

    /// The value of parameter `key` (case-insensitive), if present.
    public func parameter(_ key: String) -> String? {
        let k = key.lowercased()
        return parameterPairs.first { $0.key.lowercased() == k }?.value
    }

    /// The attribute value.
    public var description: String { "\(format) \(parameters)" }

    /// Parses an attribute value such as `111 minptime=10;useinbandfec=1`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let (head, rest) = SDPScalars.splitFirstSpace(value)
        guard SDPScalars.isNonSpaceString(head), let rest else {
            throw SDPAttributeValueError("fmtp must be `<format> <parameters>`")
        }
        self.init(format: String(head), parameters: String(rest))
    }
}

/// `a=rtcp-fb:<payload type|*> <type> [<parameters>]` (RFC 4585 §4.2).
public struct SDPRTCPFeedback: Hashable, Sendable, CustomStringConvertible {
    /// The payload type, or nil for `*` (all formats).
    public var payloadType: UInt8?
    /// The feedback type (`nack`, `ccm`, `goog-remb`, `transport-cc`…).
    public var type: String
    /// Parameters after the type (`pli`, `fir`…), as written.
    public var parameter: String?

    /// A feedback entry.
    public init(payloadType: UInt8?, type: String, parameter: String? = nil) {
        self.payloadType = payloadType
        self.type = type
        self.parameter = parameter
    }

    /// The attribute value.
    public var description: String {
        (payloadType.map(String.init) ?? "*") + " " + type + (parameter.map { " " + $0 } ?? "")
    }

    /// Parses an attribute value such as `96 nack pli`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let (head, rest) = SDPScalars.splitFirstSpace(value)
        let pt: UInt8?
        if head == "*" {
            pt = nil
        } else if let n = SDPScalars.number(head, as: UInt8.self), n <= 127 {
            pt = n
        } else {
            throw SDPAttributeValueError("rtcp-fb must start with a payload type 0–127 or `*`")
        }
        guard let rest else { throw SDPAttributeValueError("rtcp-fb needs a feedback type") }
        let (type, parameter) = SDPScalars.splitFirstSpace(rest)
        guard SDPScalars.isToken(type) else { throw SDPAttributeValueError("rtcp-fb type must be a token") }
        self.init(payloadType: pt, type: String(type), parameter: parameter.map(String.init))
    }
}

/// `a=extmap:<id>[/<direction>] <URI> [<extension attributes>]` (RFC 8285 §8).
public struct SDPExtMap: Hashable, Sendable, CustomStringConvertible {
    /// The local identifier (1–14 one-byte, up to 255 two-byte headers; older specs allowed 4095).
    public var id: UInt16
    /// The optional direction restriction.
    public var direction: SDPDirection?
    /// The extension's URI.
    public var uri: String
    /// Extension attributes after the URI, as written.
    public var extensionAttributes: String?

    /// An extmap entry.
    public init(id: UInt16, direction: SDPDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    /// The attribute value.
    public var description: String {
        "\(id)" + (direction.map { "/" + $0.rawValue } ?? "") + " " + uri + (extensionAttributes.map { " " + $0 } ?? "")
    }

    /// Parses an attribute value such as `2/recvonly urn:ietf:params:rtp-hdrext:sdes:mid`.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let (head, rest) = SDPScalars.splitFirstSpace(value)
        let idPart: Substring
        var direction: SDPDirection?
        if let slash = head.firstIndex(of: "/") {
            idPart = head[..<slash]
            guard let d = SDPDirection(rawValue: String(head[head.index(after: slash)...])) else {
                throw SDPAttributeValueError("extmap direction must be sendrecv, sendonly, recvonly or inactive")
            }
            direction = d
        } else {
            idPart = head
        }
        guard let id = SDPScalars.number(idPart, as: UInt16.self), (1...4095).contains(id) else {
            throw SDPAttributeValueError("extmap id must be 1–4095")
        }
        guard let rest else { throw SDPAttributeValueError("extmap needs a URI") }
        let (uri, attributes) = SDPScalars.splitFirstSpace(rest)
        guard SDPScalars.isNonSpaceString(uri) else { throw SDPAttributeValueError("extmap URI must not be empty") }
        self.init(id: id, direction: direction, uri: String(uri), extensionAttributes: attributes.map(String.init))
    }
}

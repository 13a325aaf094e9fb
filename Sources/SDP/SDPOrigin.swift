/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
///
/// JSEP (RFC 8829 §5.2.1) uses `-` as user name, a random 63-bit session ID, a version that
/// grows with each new local description, and a placeholder address.
public struct SDPOrigin: Hashable, Sendable, CustomStringConvertible {
    /// The user name (`-` in WebRTC; Firefox writes `mozilla...THIS_IS_SDPARTA-<ver>`).
    public var username: String
    /// The session ID.
    public var sessionID: UInt64
    /// The session version, incremented by each new offer/answer of a session.
    public var sessionVersion: UInt64
    /// The network type (`IN`).
    public var networkType: String
    /// The address type (`IP4`, `IP6`).
    public var addressType: String
    /// The originating address (a placeholder in WebRTC).
    public var unicastAddress: String

    /// An origin line.
    public init(username: String = "-", sessionID: UInt64, sessionVersion: UInt64,
                networkType: String = "IN", addressType: String = "IP4", unicastAddress: String = "127.0.0.1") {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.unicastAddress = unicastAddress
    }

    /// The line value.
    public var description: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(unicastAddress)"
    }

    /// Parses an `o=` value.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = value.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count == 6, f.allSatisfy(SDPScalars.isNonSpaceString) else {
            throw SDPAttributeValueError("o= needs six space-separated fields")
        }
        guard let id = SDPScalars.number(f[1], as: UInt64.self), let version = SDPScalars.number(f[2], as: UInt64.self) else {
            throw SDPAttributeValueError("o= session ID and version must be 64-bit numbers")
        }
        self.init(username: String(f[0]), sessionID: id, sessionVersion: version, networkType: String(f[3]),
                  addressType: String(f[4]), unicastAddress: String(f[5]))
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
public struct SDPConnectionData: Hashable, Sendable, CustomStringConvertible {
    /// The network type (`IN`).
    public var networkType: String
    /// The address type (`IP4`, `IP6`).
    public var addressType: String
    /// The address as written, including any multicast `/ttl/count` suffix.
    public var address: String

    /// A connection line; JSEP writes `IN IP4 0.0.0.0` before candidates are known.
    public init(networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// The line value.
    public var description: String { "\(networkType) \(addressType) \(address)" }

    /// Parses a `c=` value.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = value.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count == 3, f.allSatisfy(SDPScalars.isNonSpaceString) else {
            throw SDPAttributeValueError("c= needs `<nettype> <addrtype> <address>`")
        }
        self.init(networkType: String(f[0]), addressType: String(f[1]), address: String(f[2]))
    }
}

/// `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8), e.g. `AS:512` or `TIAS:64000`.
public struct SDPBandwidth: Hashable, Sendable, CustomStringConvertible {
    /// The bandwidth type (`AS`, `CT`, `TIAS`…).
    public var type: String
    /// The value (kbit/s for AS/CT, bit/s for TIAS).
    public var value: UInt64

    /// A bandwidth line.
    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }

    /// The line value.
    public var description: String { "\(type):\(value)" }

    /// Parses a `b=` value.
    public init(parsing text: Substring) throws(SDPAttributeValueError) {
        guard let colon = text.firstIndex(of: ":"), SDPScalars.isToken(text[..<colon]),
              let v = SDPScalars.number(text[text.index(after: colon)...], as: UInt64.self) else {
            throw SDPAttributeValueError("b= must be `<bwtype>:<bandwidth>`")
        }
        self.init(type: String(text[..<colon]), value: v)
    }
}

/// `t=<start> <stop>` with its `r=` repeat lines (RFC 8866 §5.9–5.10); WebRTC writes `t=0 0`.
public struct SDPTiming: Hashable, Sendable, CustomStringConvertible {
    /// Start time (NTP seconds; 0 = unbounded).
    public var start: UInt64
    /// Stop time (NTP seconds; 0 = unbounded).
    public var stop: UInt64
    /// `r=` lines that follow, kept verbatim.
    public var repeats: [String]

    /// A timing line.
    public init(start: UInt64 = 0, stop: UInt64 = 0, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }

    /// The `t=` value.
    public var description: String { "\(start) \(stop)" }

    /// Parses a `t=` value.
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let f = value.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count == 2, let start = SDPScalars.number(f[0], as: UInt64.self),
              let stop = SDPScalars.number(f[1], as: UInt64.self) else {
            throw SDPAttributeValueError("t= must be `<start> <stop>` in decimal")
        }
        self.init(start: start, stop: stop)
    }
}

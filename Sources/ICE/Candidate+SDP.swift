import WireKit

extension Candidate {
    /// Parses the SDP form (RFC 8839 §5.1), with or without a leading `a=` and `candidate:`:
    /// `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
    /// [raddr <addr> rport <port>] [generation <n>] [ufrag <u>] [other extensions…]`.
    /// A `.local` host name is kept in ``hostname``; other host names are rejected.
    public init(sdp line: String) throws(ICEParseError) {
        var text = Substring(line.trimmingCharacters(in: " \r\n"))
        if text.hasPrefix("a=") { text = text.dropFirst(2) }
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 8, fields[6] == "typ" else { throw .missingFields(line) }
        let foundation = String(fields[0])
        guard !foundation.isEmpty, foundation.count <= 32 else { throw .badField(name: "foundation", value: foundation) }
        guard let component = UInt16(fields[1]), component >= 1 else { throw .badField(name: "component", value: String(fields[1])) }
        let transport = fields[2].lowercased()
        guard let priority = UInt32(fields[3]) else { throw .badField(name: "priority", value: String(fields[3])) }
        guard let port = UInt16(fields[5]) else { throw .badField(name: "port", value: String(fields[5])) }
        var hostname: String?
        let ip: IPAddress
        if let parsed = IPAddress(fields[4]) {
            ip = parsed
        } else if fields[4].lowercased().hasSuffix(".local") {
            hostname = String(fields[4])
            ip = .v4(0)
        } else {
            throw .badField(name: "address", value: String(fields[4]))
        }
        guard let type = CandidateType(rawValue: String(fields[7])) else { throw .badField(name: "typ", value: String(fields[7])) }
        var related: (IPAddress?, UInt16?) = (nil, nil)
        var ufrag: String?
        var generation: Int?
        var i = 8
        while i + 1 < fields.count {
            let key = fields[i], value = fields[i + 1]
            switch key {
            case "raddr": related.0 = IPAddress(value)
            case "rport": related.1 = UInt16(value)
            case "ufrag": ufrag = String(value)
            case "generation": generation = Int(value)
            default: break
            }
            i += 2
        }
        var relatedAddress: TransportAddress?
        if let rip = related.0, let rport = related.1 { relatedAddress = TransportAddress(ip: rip, port: rport) }
        self.init(foundation: foundation, component: component, transport: transport, priority: priority,
                  address: TransportAddress(ip: ip, port: port), type: type, relatedAddress: relatedAddress,
                  hostname: hostname, ufrag: ufrag, generation: generation)
    }

    /// The SDP attribute value (without `a=`), e.g.
    /// `candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host generation 0 ufrag abcd`.
    public var sdpLine: String {
        var s = "candidate:\(foundation) \(component) \(transport) \(priority) \(hostname ?? address.ip.description) \(address.port) typ \(type.rawValue)"
        if let r = relatedAddress { s += " raddr \(r.ip) rport \(r.port)" }
        if let generation { s += " generation \(generation)" }
        if let ufrag { s += " ufrag \(ufrag)" }
        return s
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var sub = Substring(self)
        while let f = sub.first, set.contains(f) { sub = sub.dropFirst() }
        while let l = sub.last, set.contains(l) { sub = sub.dropLast() }
        return String(sub)
    }
}

import DTLS
import ICE
import WireKit

extension PeerConnection {
    /// W3C `getStats()`: transport, candidate pairs, candidates, certificates, data channels
    /// and the connection, with the counters the layers keep.
    public func getStats() -> RTCStatsReport {
        let ts = Double(now.nanoseconds) / 1e6
        var out: [String: RTCStats] = [:]
        func add(_ id: String, _ type: String, _ values: [String: RTCStatsValue]) {
            out[id] = RTCStats(id: id, type: type, timestamp: ts, values: values)
        }
        add("P", "peer-connection", ["dataChannelsOpened": .int(counters.dataChannelsOpened),
                                     "dataChannelsClosed": .int(counters.dataChannelsClosed)])
        let localCert = "CF" + configuration.identity.fingerprint.sdpValue.replacingOccurrences(":", "")
        add(localCert, "certificate", ["fingerprint": .string(configuration.identity.fingerprint.sdpValue.split(separator: " ").last.map(String.init) ?? ""),
                                       "fingerprintAlgorithm": .string("sha-256"),
                                       "base64Certificate": .string(Base64.encode(configuration.identity.certificateDER))])
        var remoteCert: String?
        if let der = dtls?.remoteCertificateDER {
            let f = CertificateFingerprint(certificateDER: der)
            let id = "CF" + f.sdpValue.replacingOccurrences(":", "")
            remoteCert = id
            add(id, "certificate", ["fingerprint": .string(f.sdpValue.split(separator: " ").last.map(String.init) ?? ""),
                                    "fingerprintAlgorithm": .string("sha-256"),
                                    "base64Certificate": .string(Base64.encode(der))])
        }
        var transport: [String: RTCStatsValue] = [
            "packetsSent": .int(counters.packetsSent), "packetsReceived": .int(counters.packetsReceived),
            "bytesSent": .int(counters.bytesSent), "bytesReceived": .int(counters.bytesReceived),
            "iceState": .string(iceConnectionState.rawValue), "dtlsState": .string(dtlsState.rawValue),
            "selectedCandidatePairChanges": .int(counters.selectedPairChanges),
            "localCertificateId": .string(localCert),
        ]
        if let ice { transport["iceRole"] = .string(ice.role.rawValue); transport["iceLocalUsernameFragment"] = .string(ice.localCredentials.ufrag) }
        if let dtlsRole { transport["dtlsRole"] = .string(dtlsRole == .client ? "client" : "server") }
        if let suite = dtls?.cipherSuite { transport["dtlsCipher"] = .string(suite) }
        if let srtp = media.srtp { transport["srtpCipher"] = .string(srtp.profile.registryName) }
        if let remoteCert { transport["remoteCertificateId"] = .string(remoteCert) }
        if let ice {
            for c in ice.localCandidates { add("I" + c.foundation + "-" + c.address.description, "local-candidate", candidateValues(c)) }
            for c in ice.remoteCandidates { add("R" + c.foundation + "-" + c.address.description, "remote-candidate", candidateValues(c)) }
            for p in ice.pairs {
                let id = "CP\(p.id)"
                var v: [String: RTCStatsValue] = [
                    "localCandidateId": .string("I" + p.local.foundation + "-" + p.local.address.description),
                    "remoteCandidateId": .string("R" + p.remote.foundation + "-" + p.remote.address.description),
                    "state": .string(p.state.rawValue), "nominated": .bool(p.nominated), "priority": .int(Int(truncatingIfNeeded: p.priority)),
                    "transportId": .string("T01"),
                ]
                if let rtt = p.roundTripTime { v["currentRoundTripTime"] = .double(rtt.seconds) }
                if let s = ice.selectedPair, s.id == p.id {
                    transport["selectedCandidatePairId"] = .string(id)
                    v["bytesSent"] = .int(counters.bytesSent)
                    v["bytesReceived"] = .int(counters.bytesReceived)
                    v["packetsSent"] = .int(counters.packetsSent)
                    v["packetsReceived"] = .int(counters.packetsReceived)
                }
                v["requestsSent"] = .int(ice.counters.checksSent)
                v["requestsReceived"] = .int(ice.counters.checksReceived)
                v["consentRequestsSent"] = .int(ice.counters.consentChecksSent)
                add(id, "candidate-pair", v)
            }
        }
        if let a = sctp?.association {
            var v: [String: RTCStatsValue] = [
                "transportId": .string("T01"), "congestionWindow": .int(a.congestionWindow),
                "receiverWindow": .int(a.advertisedReceiveWindow), "bytesInFlight": .int(a.bytesInFlight),
                "packetsSent": .int(a.statistics.packetsSent), "packetsReceived": .int(a.statistics.packetsReceived),
                "retransmissions": .int(a.statistics.retransmissions), "fastRetransmits": .int(a.statistics.fastRetransmits),
                "t3Expirations": .int(a.statistics.t3Expirations), "duplicateTSNs": .int(a.statistics.duplicateTSNs),
                "droppedForWindow": .int(a.statistics.droppedForWindow), "state": .string("\(a.state)"),
                "pathMTU": .int(a.pathMTU), "pathMTUProbesSent": .int(a.statistics.pathMTUProbesSent),
                "pathMTUProbesAcknowledged": .int(a.statistics.pathMTUProbesAcknowledged),
                "pathMTUBlackHoles": .int(a.statistics.pathMTUBlackHoles),
            ]
            if let rtt = a.smoothedRTT { v["smoothedRoundTripTime"] = .double(rtt.seconds) }
            add("S01", "sctp-transport", v)
        }
        add("T01", "transport", transport)
        addMediaStats(to: &out, timestamp: ts)
        for handle in channels.keys.sorted() {
            guard let r = channels[handle] else { continue }
            var v: [String: RTCStatsValue] = [
                "label": .string(r.label), "protocol": .string(r.options.protocol), "state": .string(r.state.rawValue),
                "messagesSent": .int(r.messagesSent), "bytesSent": .int(r.bytesSent),
                "messagesReceived": .int(r.messagesReceived), "bytesReceived": .int(r.bytesReceived),
            ]
            if let id = r.streamID { v["dataChannelIdentifier"] = .int(Int(id)) }
            add("D\(handle.rawValue)", "data-channel", v)
        }
        return RTCStatsReport(stats: out)
    }

    func candidateValues(_ c: Candidate) -> [String: RTCStatsValue] {
        var v: [String: RTCStatsValue] = [
            "address": .string(c.address.ip.description), "port": .int(Int(c.address.port)),
            "protocol": .string(c.transport), "candidateType": .string(c.type.rawValue),
            "priority": .int(Int(c.priority)), "foundation": .string(c.foundation), "transportId": .string("T01"),
        ]
        if let u = c.ufrag { v["usernameFragment"] = .string(u) }
        return v
    }
}

extension String {
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}

/// Standard base64 (RFC 4648 §4), for the certificate stats.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

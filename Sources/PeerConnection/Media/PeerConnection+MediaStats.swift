import RTP
import WireKit

extension PeerConnection {
    /// The media entries of `getStats()` (webrtc-stats): `outbound-rtp` and `remote-inbound-rtp`
    /// per sending transceiver, `inbound-rtp` per receiving one, and `codec`.
    func addMediaStats(to out: inout [String: RTCStats], timestamp ts: Double) {
        for t in media.transceivers {
            let mid = t.mid.map { RTCStatsValue.string($0) }
            if let pt = t.payloadType {
                let codec = MediaCodec.preferred(for: t.kind)
                out["COT01_\(pt)"] = RTCStats(id: "COT01_\(pt)", type: "codec", timestamp: ts, values: [
                    "payloadType": .int(Int(pt)), "mimeType": .string("\(t.kind.rawValue)/\(codec.name)"),
                    "clockRate": .int(Int(codec.clockRate)), "transportId": .string("T01"),
                ])
            }
            if t.senderStats.packetsSent > 0 || t.canSend {
                let id = "OT01\(t.kind == .audio ? "A" : "V")\(t.localSSRC)"
                var v: [String: RTCStatsValue] = [
                    "ssrc": .int(Int(t.localSSRC)), "kind": .string(t.kind.rawValue), "transportId": .string("T01"),
                    "packetsSent": .int(Int(t.senderStats.packetsSent)), "bytesSent": .int(t.bytesSent),
                    "nackCount": .int(t.nackReceived), "pliCount": .int(t.pliReceived),
                    "retransmittedPacketsSent": .int(t.retransmittedPacketsSent),
                    "remoteId": .string("RI" + id.dropFirst(2)),
                ]
                if t.kind == .video { v["framesSent"] = .int(t.framesSent); v["framesEncoded"] = .int(t.framesSent) }
                if let pt = t.payloadType { v["codecId"] = .string("COT01_\(pt)") }
                if let mid { v["mid"] = mid }
                out[id] = RTCStats(id: id, type: "outbound-rtp", timestamp: ts, values: v)
                if let r = t.remoteReport {
                    var rv: [String: RTCStatsValue] = [
                        "ssrc": .int(Int(t.localSSRC)), "kind": .string(t.kind.rawValue), "transportId": .string("T01"),
                        "packetsLost": .int(Int(r.cumulativeLost)), "fractionLost": .double(Double(r.fractionLost) / 256),
                        "jitter": .double(Double(r.jitter) / Double(t.clockRate)), "localId": .string(id),
                    ]
                    if let rtt = t.senderStats.roundTripTime { rv["roundTripTime"] = .double(rtt.seconds) }
                    out["RI" + id.dropFirst(2)] = RTCStats(id: "RI" + id.dropFirst(2), type: "remote-inbound-rtp", timestamp: ts, values: rv)
                }
            }
            if let rs = t.receiverStats, let ssrc = t.remoteSSRC {
                let id = "IT01\(t.kind == .audio ? "A" : "V")\(ssrc)"
                var v: [String: RTCStatsValue] = [
                    "ssrc": .int(Int(ssrc)), "kind": .string(t.kind.rawValue), "transportId": .string("T01"),
                    "packetsReceived": .int(Int(rs.packetsReceived)), "bytesReceived": .int(Int(rs.bytesReceived)),
                    "packetsLost": .int(Int(rs.packetsLost)), "jitter": .double(rs.jitterSeconds),
                    "nackCount": .int(t.nackSent), "pliCount": .int(t.pliSent), "trackIdentifier": .string(t.remoteTrackID ?? ""),
                ]
                if t.kind == .video {
                    v["framesReceived"] = .int(t.framesReceived)
                    v["framesDropped"] = .int(t.depayloader.framesDropped)
                }
                if let last = t.lastPacketReceived { v["lastPacketReceivedTimestamp"] = .double(Double(last.nanoseconds) / 1e6) }
                if let pt = t.payloadType { v["codecId"] = .string("COT01_\(pt)") }
                if let mid { v["mid"] = mid }
                out[id] = RTCStats(id: id, type: "inbound-rtp", timestamp: ts, values: v)
            }
        }
    }
}

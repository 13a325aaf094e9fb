import Foundation
import WireKit

/// What rtc-peer measured: bytes, hashes per channel, the active interval.
actor Tally {
    private var sent: [String: SHA256Stream] = [:]
    private var received: [String: SHA256Stream] = [:]
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0
    private(set) var messagesSent = 0
    private(set) var messagesReceived = 0
    private var first: Instant?
    private var last: Instant?

    func start() {
        if first == nil { first = .monotonicNow() }
    }

    func didSend(_ label: String, _ bytes: [UInt8]) {
        didSend(label, bytes[...])
    }

    func didSend(_ label: String, _ bytes: ArraySlice<UInt8>) {
        start()
        stream(&sent, label).update(bytes)
        bytesSent += bytes.count
        messagesSent += 1
        last = .monotonicNow()
    }

    func didReceive(_ label: String, _ bytes: [UInt8]) {
        start()
        stream(&received, label).update(bytes)
        bytesReceived += bytes.count
        messagesReceived += 1
        last = .monotonicNow()
    }

    func end() { last = .monotonicNow() }

    private func stream(_ table: inout [String: SHA256Stream], _ label: String) -> SHA256Stream {
        if let s = table[label] { return s }
        let s = SHA256Stream()
        table[label] = s
        return s
    }

    /// The hash of one channel's bytes, or for several channels the hash of their hashes in
    /// label order. nil when nothing was seen.
    private func combined(_ table: [String: SHA256Stream]) -> String? {
        guard !table.isEmpty else { return nil }
        let digests = table.keys.sorted().compactMap { table[$0]?.finalize() }
        if digests.count == 1, let d = digests.first { return SHA256Stream.hex(d) }
        return SHA256Stream.hex(SHA256Stream.digest(digests.flatMap { $0 }))
    }

    /// The RESULT object.
    func result(role: String, mode: String) -> Data {
        let seconds = max(1e-9, ((last ?? .monotonicNow()) - (first ?? .monotonicNow())).seconds)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let bytes = max(bytesSent, bytesReceived)
        var out: [String: Any] = [
            "role": role, "mode": mode, "bytes": bytes, "bytes_sent": bytesSent, "bytes_received": bytesReceived,
            "messages_sent": messagesSent, "messages_received": messagesReceived,
            "seconds": (seconds * 1000).rounded() / 1000,
            "mb_per_s": ((Double(bytes) / seconds / 1e6) * 100).rounded() / 100,
            "cpu_seconds": (cpu * 1000).rounded() / 1000,
            "peak_rss_kib": usage.ru_maxrss,
        ]
        out["sent_sha256"] = combined(sent) ?? NSNull()
        out["received_sha256"] = combined(received) ?? NSNull()
        return (try? JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}

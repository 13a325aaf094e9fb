// rtc-peer: a WebRTC data-channel peer for interop tests and benchmarks.
// Signaling: newline-delimited JSON on stdin/stdout (browser shapes), or the same messages
// relayed by a syncd-rendezvous server (`--signal ws://…/ws`, RendezvousLink); logs on stderr;
// a final `RESULT {json}` line on stderr. See README, "rtc-peer".
import CPlatform
import DataChannel
import DTLS
import Foundation
import ICE
import ICEDriver
import PeerConnection
import RTCDriver
import WireKit

/// Everything the main loop reacts to.
enum Input: Sendable {
    case event(PeerConnectionEvent)
    case signal(SignalIn)
    case stdinClosed
    case signalingEnded
    case terminate
    case workerDone(DataChannelHandle)
}

// Freed message buffers stay in the heap for the next ones (glibc's default returns the top of
// an arena to the kernel past 128 KiB, so every 64 KiB message faulted its pages in again:
// 3.5 % of a bulk source's CPU); allocations up to 1 MiB come from the heap, not mmap.
_ = cplatform_keep_freed_heap(8 << 20, 1 << 20, 128 << 10)

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    log("\(error)")
    exit(2)
}
let peerID: DeviceID?
do {
    peerID = try options.peer.map { try DeviceID(parsing: $0) }
} catch {
    log("--peer: \(error)")
    exit(2)
}

/// Parses `stun:IP:PORT` and `turn:USER:PASS@IP:PORT` (addresses must be literal).
func iceServers(_ urls: [String]) -> ([TransportAddress], [TURNServer]) {
    var stun: [TransportAddress] = []
    var turn: [TURNServer] = []
    for url in urls {
        if url.hasPrefix("stun:"), let a = TransportAddress(String(url.dropFirst(5))) {
            stun.append(a)
        } else if url.hasPrefix("turn:") {
            let rest = url.dropFirst(5)
            let parts = rest.split(separator: "@", maxSplits: 1)
            guard parts.count == 2, let a = TransportAddress(String(parts[1].split(separator: "?")[0])) else { continue }
            let cred = parts[0].split(separator: ":", maxSplits: 1)
            turn.append(TURNServer(address: a, username: String(cred.first ?? ""), password: cred.count > 1 ? String(cred[1]) : ""))
        } else {
            log("ignoring ICE server \(url) (want stun:IP:PORT or turn:USER:PASS@IP:PORT)")
        }
    }
    return (stun, turn)
}

func run() async throws -> Int32 {
    let identity = try DeviceIdentity.generate(commonName: "rtc-peer")
    var system = SystemRandomNumberGenerator()
    let seed = system.next()
    let (stun, turn) = iceServers(options.iceServers)
    let configuration = PeerConnectionConfiguration(identity: identity, seed: seed, stunServers: stun, turnServers: turn,
                                                    dtlsMTU: options.mtu, pathMTUDiscovery: options.pathMTUDiscovery)
    let interfaces: ICEInterfaceSelection = options.loopbackOnly ? .loopbackOnly : .all(includeLoopback: options.loopback)
    let driver = try await RTCDriver.start(configuration: configuration, interfaces: interfaces, highWaterMark: options.highWaterMark,
                                           udpOffload: options.udpOffload)
    log("bound \(driver.localAddresses.map(\.description).joined(separator: " ")), role \(options.role.rawValue), mode \(options.mode.rawValue)")
    let tally = Tally()
    let (inputs, input) = AsyncStream<Input>.makeStream()
    // Signaling: stdio lines, or payloads relayed by a rendezvous server (in order, through `outbox`).
    let link: RendezvousLink? = options.signal == "stdio" ? nil
        : RendezvousLink(url: options.signal, identity: identity, room: options.room, peer: peerID, inbound: input)
    let (outbox, outlet) = AsyncStream<String>.makeStream()
    let out = link == nil ? SignalOut() : SignalOut(deliver: { outlet.yield($0) })

    let sigterm = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    sigterm.setEventHandler { input.yield(.terminate) }
    sigint.setEventHandler { input.yield(.terminate) }
    sigterm.resume()
    sigint.resume()

    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for await event in driver.events { input.yield(.event(event)) }
        }
        if let link {
            group.addTask { await link.run() }
            group.addTask {
                for await text in outbox { await link.send(text) }
            }
        } else {
            group.addTask {
                for await line in stdinLines() {
                    if let message = SignalIn.parse(line) { input.yield(.signal(message)) } else { log("ignoring signaling line: \(line.prefix(80))") }
                }
                input.yield(.stdinClosed)
            }
        }

        var labels: [DataChannelHandle: String] = [:]
        var workers: Set<DataChannelHandle> = []
        var done: Set<DataChannelHandle> = []
        var sawChannel = false

        func channelOptions(_ index: Int) -> DataChannelInit {
            var o = DataChannelInit(ordered: !options.unordered, maxPacketLifeTime: options.maxPacketLifeTime,
                                    maxRetransmits: options.maxRetransmits)
            if let id = options.negotiatedID {
                o.negotiated = true
                o.id = id + UInt16(index)
            }
            return o
        }

        // Channels this side creates: the offerer's, or negotiated ones on both sides.
        if options.role == .offer || options.negotiatedID != nil {
            for i in 0..<options.channels {
                let label = options.channels == 1 ? options.label : "\(options.label)-\(i)"
                let h = try await driver.createDataChannel(label, options: channelOptions(i))
                labels[h] = label
            }
        }
        if options.role == .offer {
            let offer = try await driver.setLocalDescription()
            out.send(description: offer)
        }

        func startWorker(_ h: DataChannelHandle, label: String) {
            guard !workers.contains(h) else { return }
            workers.insert(h)
            sawChannel = true
            let share = options.bytes / options.channels + (labels.count == 1 ? options.bytes % options.channels : 0)
            group.addTask {
                await channelWorker(driver: driver, handle: h, label: label, mode: options.mode, bytes: share, tally: tally)
                input.yield(.workerDone(h))
            }
        }

        var exitCode: Int32 = 0
        loop: for await item in inputs {
            switch item {
            case .event(let event):
                switch event {
                case .iceCandidate(let c):
                    out.send(candidate: c)
                case .connectionStateChange(let s):
                    log("connection \(s.rawValue)")
                    if s == .failed {
                        let stats = try await driver.getStats()
                        for st in stats.stats.values.sorted(by: { $0.id < $1.id }) where st.type != "certificate" { log("stats \(st.json)") }
                        exitCode = 1
                        break loop
                    }
                case .iceConnectionStateChange(let s):
                    log("ice \(s.rawValue)")
                case .selectedCandidatePairChange(let l, let r):
                    log("selected pair \(l.address) -> \(r.address)")
                case .dataChannel(let h):
                    let info = try await driver.dataChannel(h)
                    labels[h] = info?.label ?? "dc"
                    log("datachannel \(info?.label ?? "?") id \(info?.id.map(String.init) ?? "?")")
                    startWorker(h, label: labels[h] ?? "dc")
                case .open(let h):
                    log("open \(labels[h] ?? "?")")
                    try await driver.setFlowControl(h, lowThreshold: options.lowThreshold, highWaterMark: options.highWaterMark)
                    startWorker(h, label: labels[h] ?? "dc")
                case .close(let h):
                    log("close \(labels[h] ?? "?")")
                case .transportClosed(let reason):
                    log("transport closed: \(reason)")
                    // Messages delivered before the close may still wait in a channel's stream
                    // (a sink that hashes slower than the network delivers): the streams end
                    // with the transport, so wait for those workers to count them. A source's
                    // worker may be waiting for acknowledgements that will never come.
                    if options.mode == .source || done.isSuperset(of: workers) { break loop }
                default:
                    break
                }
            case .signal(let message):
                do {
                    switch message {
                    case .description(let d):
                        try await driver.setRemoteDescription(d)
                        if d.type == .offer {
                            let answer = try await driver.setLocalDescription()
                            out.send(description: answer)
                        }
                    case .candidate(let c):
                        try await driver.addIceCandidate(c)
                    }
                } catch {
                    log("signaling: \(error)")
                }
            case .stdinClosed:
                log("stdin closed")
                if !sawChannel { break loop }
            case .signalingEnded:
                if !sawChannel {
                    exitCode = 1
                    break loop
                }
            case .terminate:
                log("terminated")
                break loop
            case .workerDone(let h):
                done.insert(h)
                if sawChannel, done.isSuperset(of: workers) { break loop }
            }
        }
        await tally.end()
        if let stats = try? await driver.getStats(), let s = stats["S01"] { log("sctp \(s.json)") }
        if ProcessInfo.processInfo.environment["RTC_PEER_STATS"] != nil, let stats = try? await driver.getStats() {
            for st in stats.stats.values.sorted(by: { $0.id < $1.id }) where st.type != "certificate" { log("stats \(st.json)") }
        }
        let result = await tally.result(role: options.role.rawValue, mode: options.mode.rawValue)
        FileHandle.standardError.write(Data("RESULT ".utf8) + result + Data([0x0A]))
        await driver.close()
        outlet.finish()
        await link?.stop()
        group.cancelAll()
        return exitCode
    }
}

/// Runs one channel in the chosen mode until it closes (source: until everything is sent,
/// then closes it).
func channelWorker(driver: RTCDriver, handle: DataChannelHandle, label: String, mode: Options.Mode, bytes: Int, tally: Tally) async {
    do {
        let messages = try await driver.messages(handle)
        switch mode {
        case .sink:
            // Receiving pauses while more than the high-water mark of delivered messages is not
            // hashed yet: the peer's memory stays bounded when hashing is slower than the network.
            try await driver.setReceiveFlowControl(handle, limit: options.highWaterMark)
            for await m in messages {
                await tally.didReceive(label, m.data)
                driver.consumed(m.data.count, on: handle)
            }
        case .echo:
            for await m in messages {
                await tally.didReceive(label, m.data)
                try await driver.send(m.data, on: handle)
                await tally.didSend(label, m.data)
            }
        case .source:
            await tally.start()
            let pool = SourcePool.shared
            var remaining = bytes
            var index = 0
            while remaining > 0 {
                let n = min(options.messageSize, remaining)
                let message = pool.message(index: index, size: n)
                try await driver.send(message, on: handle)
                await tally.didSend(label, message)
                remaining -= n
                index += 1
            }
            log("sent \(bytes) bytes on \(label); closing it")
            if let s = try? await driver.getStats()["S01"] { log("sctp \(s.json)") }
            var echoed = 0
            if options.expectEcho {
                // Wait for the echo of everything before closing (a reset would cut it short).
                for await m in messages {
                    await tally.didReceive(label, m.data)
                    echoed += m.data.count
                    if echoed >= bytes { break }
                }
            }
            // Close only once everything was sent and acknowledged: a stream reset racing
            // queued data has been seen to cut the last messages short.
            while try await driver.withConnection({ $0.bufferedAmount(handle) > 0 || $0.sctpBytesInFlight > 0 }) {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await driver.closeDataChannel(handle)
            // Anything else the peer sends is still counted until the channel closes.
            for await m in messages { await tally.didReceive(label, m.data) }
        }
    } catch {
        log("channel \(label): \(error)")
    }
}

/// Deterministic pseudo-random message contents (a 1.25 MiB pool sliced at varying offsets);
/// the same bytes as contrib/interop/aiortc_peer.py (SplitMix64 from 0x5EED, little-endian).
struct SourcePool: Sendable {
    static let shared = SourcePool()
    let pool: [UInt8]

    init() {
        var state: UInt64 = 0x5EED
        var bytes = [UInt8](repeating: 0, count: (1 << 20) + 262_144)
        var i = 0
        while i + 8 <= bytes.count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            var v = (z ^ (z >> 31)).littleEndian
            withUnsafeBytes(of: &v) { raw in for k in 0..<8 { bytes[i + k] = raw[k] } }
            i += 8
        }
        pool = bytes
    }

    /// Message `index` of `size` bytes: a slice of the pool (sent without a copy) when it fits,
    /// else the pool repeated.
    func message(index: Int, size: Int) -> ArraySlice<UInt8> {
        let span = pool.count - size
        let offset = span > 0 ? (index &* 7919 &* 61) % span : 0
        if size <= pool.count - offset { return pool[offset..<(offset + size)] }
        var out = [UInt8]()
        out.reserveCapacity(size)
        while out.count < size { out.append(contentsOf: pool.prefix(size - out.count)) }
        return out[...]
    }
}

let code: Int32
do {
    code = try await run()
} catch {
    log("error: \(error)")
    code = 1
}
exit(code)

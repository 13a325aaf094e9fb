import STUN
import WireKit

extension ICEAgent {
    /// Feeds a datagram that arrived from `source` on the local socket `destination`.
    ///
    /// STUN and TURN traffic is consumed; everything else is queued as ``ICEEvent/data(_:)``.
    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        self.now = max(self.now, now)
        guard connectionState != .closed else { return }
        if let a = allocations.firstIndex(where: { $0.server.address == source && $0.socket == destination && $0.state != .failed }) {
            handleFromTURNServer(datagram, allocation: a)
            updateStateAfterChecks()
            return
        }
        handleFromPeer(datagram, source: source, route: .direct(socket: destination))
        updateStateAfterChecks()
    }

    /// For a caller that hands a peer's DTLS or media datagram on itself instead of through
    /// ``handle(datagram:source:destination:now:)`` (which would emit it as ``ICEEvent/data(_:)``,
    /// a copy per datagram): true, and counted as received data, when the agent would have
    /// emitted it — it is open and `source` is not one of `destination`'s TURN servers (whose
    /// datagrams are STUN or ChannelData to unwrap). Only for datagrams whose first byte is not
    /// STUN's (RFC 7983).
    public func acceptDirectData(source: TransportAddress, destination: TransportAddress, now: Instant) -> Bool {
        self.now = max(self.now, now)
        guard connectionState != .closed,
              !allocations.contains(where: { $0.server.address == source && $0.socket == destination && $0.state != .failed })
        else { return false }
        counters.dataReceived += 1
        return true
    }

    /// Fires the timers that are due at `now`.
    public func handle(timeout now: Instant) {
        self.now = max(self.now, now)
        guard connectionState != .closed else { return }
        fireTransactionTimers()
        if let t = nextCheckAt, t <= self.now { paceCheck() }
        if let t = nominationAt, t <= self.now {
            nominationAt = nil
            nominateBestValidPair()
        }
        consentTimers()
        turnTimers()
        updateStateAfterChecks()
    }

    /// Demultiplexes a datagram from a peer (direct, or unwrapped from TURN).
    func handleFromPeer(_ datagram: [UInt8], source: TransportAddress, route: SendRoute) {
        // RFC 7983: only first bytes 0–3 are STUN on a shared port; a DTLS record (20–63) whose
        // bytes 4–7 happen to equal the magic cookie is still DTLS (found by contrib/fuzz demux).
        guard PacketKind.classify(datagram) == .stun, STUNMessage.isSTUN(datagram) else {
            if PacketKind.classify(datagram) == .stun { counters.stunDropped += 1; return }
            counters.dataReceived += 1
            emit(.data(datagram))
            return
        }
        let message: STUNMessage
        do {
            message = try STUNMessage.decode(datagram)
        } catch {
            counters.stunDropped += 1
            return
        }
        switch message.type.messageClass {
        case .request:
            if message.type.method == .binding {
                handleBindingRequest(message, source: source, route: route)
            } else {
                counters.stunDropped += 1
            }
        case .successResponse, .errorResponse:
            handleResponse(message, source: source, route: route)
        case .indication:
            break  // Binding indications are keepalives (RFC 8445 §11).
        }
    }

    /// Routes a response to its transaction.
    func handleResponse(_ message: STUNMessage, source: TransportAddress, route: SendRoute) {
        guard let pending = transactions[message.transactionID] else { counters.stunDropped += 1; return }
        if let key = pending.responseKey, message.type.messageClass == .successResponse || message.hasIntegrity,
           !message.verifyIntegrity(key: key) {
            counters.stunDropped += 1
            return
        }
        switch pending.purpose {
        case .check(let pairID, let nominate, let generation):
            transactions[message.transactionID] = nil
            handleCheckResponse(message, pairID: pairID, nominate: nominate, generation: generation,
                                pending: pending, source: source, route: route)
        case .consent:
            transactions[message.transactionID] = nil
            handleConsentResponse(message, pending: pending, source: source)
        case .serverReflexive(let socket, let server):
            transactions[message.transactionID] = nil
            handleServerReflexiveResponse(message, socket: socket, server: server)
        case .turn(let allocation, let request):
            transactions[message.transactionID] = nil
            handleTURNResponse(message, allocation: allocation, request: request)
        }
    }

    func fireTransactionTimers() {
        let due = transactions.filter { ($0.value.transaction.pollTimeout()).map { $0 <= now } ?? false }
        for (id, var pending) in due.sorted(by: { $0.key.description < $1.key.description }) {
            switch pending.transaction.handle(timeout: now) {
            case .wait:
                transactions[id] = pending
            case .retransmit:
                transactions[id] = pending
                if case .check = pending.purpose { counters.checksSent += 1 }
                send(pending.transaction.request, route: pending.route, to: pending.destination)
            case .timedOut:
                transactions[id] = nil
                transactionTimedOut(pending)
            }
        }
    }

    func transactionTimedOut(_ pending: PendingTransaction) {
        switch pending.purpose {
        case .check(let pairID, _, let generation):
            guard generation == self.generation, var pair = checklist[id: pairID] else { return }
            forgetChecks(pairID: pairID)
            if pair.state == .inProgress { pair.state = .failed }
            checklist[id: pairID] = pair
        case .consent:
            if var s = selected { s.consentInFlight = false; selected = s }
        case .serverReflexive(_, let server):
            emit(.debug("STUN server \(server) did not answer"))
            gatheringTransactionFinished()
        case .turn(let allocation, let request):
            turnRequestTimedOut(allocation: allocation, request: request)
        }
    }
}

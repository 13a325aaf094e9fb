import DTLS
import Signaling
import WireKit

/// Output helpers, rate limiting and forgetting connections.
extension RendezvousHub {
    mutating func send(_ id: ConnectionID, _ message: ServerMessage) {
        transmits.append(.message(id, message))
    }

    /// Queues an error frame and counts the refusal.
    mutating func refuse(_ id: ConnectionID, _ code: SignalingErrorCode, _ text: String, ref: String? = nil) {
        events.append(.refused(id, reason: code.rawValue))
        send(id, .error(code: code, message: text, ref: ref))
    }

    /// An error frame then a close, for a connection that is not (or no longer) registered.
    mutating func refuseAndClose(_ id: ConnectionID, _ code: SignalingErrorCode, _ closeCode: SignalingCloseCode, _ text: String) {
        events.append(.refused(id, reason: code.rawValue))
        send(id, .error(code: code, message: text, ref: nil))
        transmits.append(.close(id, closeCode))
    }

    /// Queues a close and forgets the connection at once.
    mutating func close(_ id: ConnectionID, _ code: SignalingCloseCode, notifyPresence: Bool = true) {
        guard connections[id] != nil else { return }
        forget(id, notifyPresence: notifyPresence)
        transmits.append(.close(id, code))
    }

    /// Applies the rate limit to one inbound frame; false when it must be dropped.
    mutating func admit(_ id: ConnectionID, now: Instant) -> Bool {
        guard let index = connections.index(forKey: id) else { return false }
        return admit(at: index, id, now: now)
    }

    /// `admit` for the connection stored at `index` (updated in place, no copy of the record).
    mutating func admit(at index: Dictionary<ConnectionID, HubConnection>.Index, _ id: ConnectionID, now: Instant) -> Bool {
        if connections.values[index].bucket.take(now: now) {
            connections.values[index].refusedInARow = 0
            return true
        }
        connections.values[index].refusedInARow += 1
        if connections.values[index].refusedInARow >= limits.rateLimitCloseAfter {
            events.append(.refused(id, reason: SignalingCloseCode.rateLimited.reason))
            close(id, .rateLimited)
        } else {
            refuse(id, .rateLimited, "more than \(limits.messagesPerSecond) messages per second; message dropped")
        }
        return false
    }

    /// Removes every trace of a connection: its device goes offline (watchers told when
    /// `notifyPresence`), its subscriptions end, its rooms are burnt.
    mutating func forget(_ id: ConnectionID, notifyPresence: Bool) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        events.append(.connectionClosed(id))
        if let count = connectionsPerAddress[connection.source] {
            if count <= 1 { connectionsPerAddress[connection.source] = nil } else { connectionsPerAddress[connection.source] = count - 1 }
        }
        for device in connection.subscriptions {
            watchers[device]?.remove(id)
            if watchers[device]?.isEmpty == true { watchers[device] = nil }
        }
        for code in connection.rooms.sorted() {
            if let room = rooms[code] {
                burn(room, reason: .peerLeft)
            } else if let proxy = proxyRooms[code], proxy.member == id {
                proxyRooms[code] = nil
                publish(.roomEnd(code: code, owner: proxy.owner, reason: .peerLeft))
            }
        }
        if let device = connection.device, online[device] == id {
            online[device] = nil
            if notifyPresence {
                if remoteOnline[device] == nil { announce(device, online: false) }
                if let node { publish(.offline(device: device, node: node)) }
            }
        }
    }

    /// Tells every watcher of `device` its new state.
    mutating func announce(_ device: DeviceID, online isOnline: Bool) {
        guard let set = watchers[device] else { return }
        for watcher in set.sorted() { send(watcher, .presence(device: device, online: isOnline)) }
    }
}

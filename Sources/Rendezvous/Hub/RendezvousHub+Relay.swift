import DTLS
import Signaling
import WireKit

/// `signal` relay and presence subscriptions.
extension RendezvousHub {
    mutating func relaySignal(from id: ConnectionID, device: DeviceID, to target: DeviceID, payload: String) {
        if online[target] == nil, let remote = remoteOnline[target] {
            publish(.signal(to: target, from: device, payload: payload, node: remote))
            events.append(.relayed(.signal))
            return
        }
        guard let destination = online[target] else {
            refuse(id, .deviceOffline, "the device is not connected; signals are not queued", ref: target.description)
            return
        }
        send(destination, .signal(from: device, payload: payload))
        events.append(.relayed(.signal))
    }

    mutating func subscribe(_ id: ConnectionID, to devices: [DeviceID]) {
        guard var connection = connections[id] else { return }
        let added = devices.filter { !connection.subscriptions.contains($0) }
        guard connection.subscriptions.count + Set(added).count <= limits.maxSubscriptions else {
            refuse(id, .tooManySubscriptions, "at most \(limits.maxSubscriptions) subscriptions per connection", ref: "subscribe")
            return
        }
        for device in added {
            connection.subscriptions.insert(device)
            watchers[device, default: []].insert(id)
        }
        connections[id] = connection
        for device in devices { send(id, .presence(device: device, online: online[device] != nil || remoteOnline[device] != nil)) }
    }

    mutating func unsubscribe(_ id: ConnectionID, from devices: [DeviceID]) {
        guard var connection = connections[id] else { return }
        for device in devices where connection.subscriptions.remove(device) != nil {
            watchers[device]?.remove(id)
            if watchers[device]?.isEmpty == true { watchers[device] = nil }
        }
        connections[id] = connection
    }
}

/// The relay's hot path.
extension RendezvousHub {
    /// A well-formed `signal` to `target` from connection `id`, whose payload the driver keeps
    /// and forwards itself (no `ServerMessage` is built): the same checks, refusals and counts
    /// as `handle(message: .signal(…))`, which it defers to (by answering `.general`, with the
    /// hub untouched) whenever the addressee is not online on this node.
    public mutating func routeSignal(to target: DeviceID, from id: ConnectionID, now: Instant) -> SignalRoute {
        guard let destination = online[target] else { return .general }
        guard let index = connections.index(forKey: id) else { return .handled }
        guard admit(at: index, id, now: now) else { return .handled }
        guard let device = connections.values[index].device else {
            refuse(id, .notAuthenticated, "send auth first", ref: "signal")
            return .handled
        }
        events.append(.relayed(.signal))
        return .deliver(destination, from: device)
    }
}

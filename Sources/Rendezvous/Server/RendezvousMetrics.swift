import Metrics

/// The server's metrics, made with an injected factory (a Prometheus registry's in the
/// server), so a library never touches the global `MetricsSystem`.
struct RendezvousMetrics {
    let factory: any MetricsFactory
    let connections: Gauge
    let devicesOnline: Gauge
    let rooms: Gauge
    let connectionsOpened: Counter
    let signalsRelayed: Counter
    let roomMessagesRelayed: Counter
    let roomsOpened: Counter
    private var refusals: [String: Counter] = [:]

    init(factory: any MetricsFactory) {
        self.factory = factory
        connections = Gauge(label: "rendezvous_connections", dimensions: [], factory: factory)
        devicesOnline = Gauge(label: "rendezvous_devices_online", dimensions: [], factory: factory)
        rooms = Gauge(label: "rendezvous_rooms", dimensions: [], factory: factory)
        connectionsOpened = Counter(label: "rendezvous_connections_opened_total", dimensions: [], factory: factory)
        signalsRelayed = Counter(label: "rendezvous_messages_relayed_total", dimensions: [("kind", "signal")], factory: factory)
        roomMessagesRelayed = Counter(label: "rendezvous_messages_relayed_total", dimensions: [("kind", "room")], factory: factory)
        roomsOpened = Counter(label: "rendezvous_rooms_opened_total", dimensions: [], factory: factory)
    }

    /// Counts one refusal; `reason` is an error code or close reason (a small fixed set).
    mutating func refused(_ reason: String) {
        if let counter = refusals[reason] {
            counter.increment()
            return
        }
        let counter = Counter(label: "rendezvous_refusals_total", dimensions: [("reason", reason)], factory: factory)
        refusals[reason] = counter
        counter.increment()
    }
}

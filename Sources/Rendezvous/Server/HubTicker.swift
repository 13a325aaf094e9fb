import ServiceLifecycle

/// A service that wakes the hub's timers four times a second until graceful shutdown.
struct HubTicker: Service {
    let driver: RendezvousHubDriver
    let interval: Duration

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Cancellation (graceful shutdown) ends the sleep early; the loop then stops.
                try? await Task.sleep(for: interval)
                driver.tick()
            }
        }
    }
}

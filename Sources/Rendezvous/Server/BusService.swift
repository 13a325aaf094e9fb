import Logging
import ServiceLifecycle

/// Connects a node's hub to a bus: publishes what the hub queues, feeds it what arrives.
struct BusService: Service {
    let bus: any RendezvousBus
    let driver: RendezvousHubDriver
    let outbox: AsyncStream<BusMessage>
    let logger: Logger

    func run() async throws {
        let inbound = try await bus.subscribe()
        driver.announceStart()
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in outbox {
                        do { try await bus.publish(message) } catch {
                            logger.warning("bus publish failed", metadata: ["error": "\(error)"])
                        }
                    }
                }
                group.addTask {
                    for await message in inbound { driver.receive(bus: message) }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

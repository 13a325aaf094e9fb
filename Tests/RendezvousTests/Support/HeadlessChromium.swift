import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium` in headless mode, driven over the Chrome DevTools Protocol on a pipe
/// (`--remote-debugging-pipe`: commands on descriptor 3, answers and events on 4, each message
/// JSON ended by a NUL byte). Blocking calls: run them off the cooperative pool.
///
/// Network hygiene: no background services, no mDNS (so WebRTC host candidates are plain
/// addresses and nothing is multicast), DNS answers nothing but what the test names.
final class HeadlessChromium: @unchecked Sendable {
    // @unchecked Sendable: used by one test at a time, each call from one thread at a time.
    private let process: ChildProcess
    private let commandFD: Int32
    private let eventFD: Int32
    private let profile: String
    private var nextID = 1
    private var inbox: [UInt8] = []

    /// Why the browser could not be driven.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the browser with an empty profile.
    init() throws {
        let binary = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else {
            throw Failure(description: "chromium not found: run contrib/setup.sh (it installs Debian's chromium)")
        }
        profile = try ChildProcess.temporaryDirectory(prefix: "peersync-chromium")
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw Failure(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        // Only the duplicates on 3 and 4 reach the browser (posix_spawn's dup2 clears the flag).
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var arguments = [binary, "--headless", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
                         "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only",
                         "--disable-client-side-phishing-detection", "--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,OptimizationHints",
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "about:blank"]
        if getuid() == 0 { arguments.insert("--no-sandbox", at: 1) }
        var environment = ChildProcess.currentEnvironment()
        environment["HOME"] = profile
        environment["TMPDIR"] = profile  // its singleton socket's directory, removed with the profile
        process = try ChildProcess(arguments, environment: environment, logPath: "\(profile)/chromium.log",
                                   descriptors: [3: toBrowser[0], 4: fromBrowser[1]])
        close(toBrowser[0])
        close(fromBrowser[1])
        commandFD = toBrowser[1]
        eventFD = fromBrowser[0]
    }

    /// Closes the browser and removes its profile.
    func quit() {
        _ = try? call("Browser.close", timeout: 5)
        close(commandFD)
        close(eventFD)
        process.terminate(SIGTERM, seconds: 10)
        ChildProcess.removeTree(profile)
    }

    /// Opens a tab on `url` and returns the CDP session attached to it.
    func open(_ url: String) throws -> String {
        let target = try call("Target.createTarget", ["url": url])
        guard let targetID = target["targetId"] as? String else { throw Failure(description: "no targetId in \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "no sessionId in \(attached)") }
        return session
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value when it is a string.
    /// Retries while the page is still replacing its first document (`about:blank`).
    @discardableResult
    func evaluate(_ expression: String, session: String, timeout: Double = 20) throws -> String? {
        var lastError = ""
        for _ in 0..<50 {
            let result: [String: Any]
            do {
                result = try call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
                                  session: session, timeout: timeout)
            } catch let failure as Failure where failure.description.contains("context") {
                lastError = failure.description
                usleep(50_000)  // the first document was replaced while evaluating: evaluate again
                continue
            }
            if let details = result["exceptionDetails"] as? [String: Any] {
                let exception = (details["exception"] as? [String: Any])?["description"] as? String
                lastError = exception ?? (details["text"] as? String) ?? "\(details)"
                if lastError.contains("is not defined") || lastError.contains("context") {
                    usleep(50_000)  // the page's script has not run yet: evaluate again
                    continue
                }
                throw Failure(description: "page script failed: \(lastError)")
            }
            return (result["result"] as? [String: Any])?["value"] as? String
        }
        throw Failure(description: "page never became ready: \(lastError)")
    }

    /// Sends one CDP command and waits (at most `timeout` seconds) for its answer, skipping events.
    @discardableResult
    func call(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil,
              timeout: Double = 20) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(commandFD, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "browser pipe closed:\n\(process.output())") }
            offset += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let answer = try nextMessage(deadline: deadline, waitingFor: method)
            guard answer["id"] as? Int == id else { continue }
            if let error = answer["error"] as? [String: Any] {
                throw Failure(description: "\(method) failed: \(error["message"] ?? error)")
            }
            return answer["result"] as? [String: Any] ?? [:]
        }
    }

    private func nextMessage(deadline: Date, waitingFor method: String) throws -> [String: Any] {
        while true {
            if let end = inbox.firstIndex(of: 0) {
                let data = Data(inbox[..<end])
                inbox.removeSubrange(...end)
                if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] { return object }
                continue
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw Failure(description: "no answer to \(method) in time:\n\(process.output())") }
            var descriptor = pollfd(fd: eventFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1_000))
            if ready <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = read(eventFD, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "browser exited:\n\(process.output())") }
            inbox.append(contentsOf: buffer[0..<n])
        }
    }
}

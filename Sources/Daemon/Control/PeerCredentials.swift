#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The SO_PEERCRED check of the control socket: only processes of syncd's own user may talk to it.
enum PeerCredentials {
    /// `struct ucred` (Glibc hides it behind `_GNU_SOURCE`): pid, uid, gid.
    struct Credentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// `SO_PEERCRED` from `<asm-generic/socket.h>` (17 on x86-64 and arm64; also hidden by Glibc).
    static let soPeerCred: Int32 = 17

    /// The uid of the process at the other end of a Unix-socket channel, or nil when unknown.
    static func peerUID(of channel: any Channel) -> EventLoopFuture<uid_t?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: soPeerCred))
        return future.map { Optional($0.uid) }.recover { _ in Optional<uid_t>.none }
    }
}

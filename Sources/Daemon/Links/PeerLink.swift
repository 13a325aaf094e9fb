import SyncEngine

/// The daemon's name for the sync engine's message stream to one peer for one folder: ordered,
/// reliable, backpressured (``PeerMessageStream``). The WebRTC transport maps each shared
/// folder to its own data channel (label `sync/<folder>`), paced by `bufferedAmountLow`;
/// ``PipePeerLink`` connects two daemons in one process.
public typealias PeerLink = PeerMessageStream

import GRDB

/// The statements of the look-ups made for every chunk served or pulled, prepared once on the
/// store's writer connection and held by id (an array slot, no lookup by SQL text).
///
/// ``DirectStatement/init(_:sql:)`` finds a connection's cached statement by its SQL: hashing a
/// ~300-byte string and comparing it, about a twentieth of a point look-up. A statement held
/// here is GRDB's own cached one (so it is finalized with the others when the connection goes),
/// taken once per connection: a statement asked for on another connection (a reader) is looked
/// up as before and not kept.
///
/// `@unchecked Sendable`: its slots are read and written only inside the writer connection's
/// closures (`unsafeReentrantWrite` and `write` run one at a time on the writer's queue), and
/// only for that connection (``statement(_:_:)`` checks it).
final class HotStatements: @unchecked Sendable {
    /// The look-ups held.
    enum ID: Int, CaseIterable {
        /// ``SQLiteIndexStore/localEntrySQL``: the local entry of a path (each served chunk).
        case localEntry
        /// ``SQLiteIndexStore/remoteRecordsSQL``: the peers' records of a path (a pull's holders).
        case remoteRecords
        /// ``SQLiteIndexStore/localChunkLocationSQL``: a local copy of a chunk (each pulled chunk
        /// the local filter may hold).
        case localChunkLocation
        /// ``SQLiteIndexStore/chunkListSQL``: a content's chunk list (a served file's list).
        case chunkList

        var sql: String {
            switch self {
            case .localEntry: return SQLiteIndexStore.localEntrySQL
            case .remoteRecords: return SQLiteIndexStore.remoteRecordsSQL
            case .localChunkLocation: return SQLiteIndexStore.localChunkLocationSQL
            case .chunkList: return SQLiteIndexStore.chunkListSQL
            }
        }
    }

    /// The connection the slots' statements belong to.
    private var connection: ObjectIdentifier?
    private var slots = [Statement?](repeating: nil, count: ID.allCases.count)

    /// The statement `id` on `db`, ready to bind (see ``DirectStatement``).
    func statement(_ id: ID, _ db: Database) throws -> DirectStatement {
        let current = ObjectIdentifier(db)
        if connection == nil {
            connection = current
        } else if connection != current {
            return try DirectStatement(db, sql: id.sql)   // another connection: looked up, not kept
        }
        if let held = slots[id.rawValue] { return DirectStatement(held) }
        let statement = try DirectStatement(db, sql: id.sql)
        slots[id.rawValue] = statement.statement
        return statement
    }
}

import Foundation
import GRDB
import GRDBSQLite

/// A cached write statement whose parameters are bound straight with `sqlite3_bind_*`, for the
/// rows an index commit writes per file.
///
/// Building a `StatementArguments` costs more than the insert it feeds: GRDB's initializers map
/// a sequence through unspecialized generics or existentials (22k–40k instructions for a
/// 20-column `file` row, measured with callgrind). Here each value is bound in place, and
/// ``execute()`` steps the statement itself, as the queries do: GRDB's execution wrapper (its
/// checks for an aborted or suspended transaction, region tracking and observer hooks, none of
/// which a row written inside the store's own write transaction needs) was a twelfth of the
/// Swift side of a commit. The first failing row throws, and the store's commit then rolls
/// back, so no row is ever written outside the transaction.
///
/// Use: ``begin()``, one `bind` per `?` in order, ``execute()``. The SQL must be used only
/// through this type on its connection (GRDB's arguments on the shared cached statement are
/// never set or checked).
struct DirectStatement {
    /// SQLite copies the bytes of strings and blobs (the `SQLITE_TRANSIENT` destructor).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    let statement: Statement
    private let handle: SQLiteStatement
    private var index: CInt = 0

    /// The connection's cached statement for `sql`. GRDB never runs it (this type steps it),
    /// so GRDB's own arguments on it are left as they are.
    init(_ db: Database, sql: String) throws {
        self.init(try db.cachedStatement(sql: sql))
    }

    /// `statement` (a connection's cached statement, held by ``HotStatements``), stepped and
    /// bound here as by ``init(_:sql:)``.
    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
        // A failed earlier run leaves its error for the next reset: take it here.
        sqlite3_reset(handle)
    }

    /// Starts a row: resets the statement. Its parameters keep their old values until bound
    /// again, and every one is (running it checks that as many were bound as it has), so they
    /// are not cleared first.
    mutating func begin() {
        sqlite3_reset(handle)
        index = 0
    }

    private mutating func check(_ code: CInt) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding parameter \(index)", sql: statement.sql)
        }
    }

    /// Binds the next parameter to an integer.
    mutating func bind(_ value: Int64) throws {
        index += 1
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds the next parameter to 0 or 1 (how GRDB stores booleans).
    mutating func bind(_ value: Bool) throws { try bind(Int64(value ? 1 : 0)) }

    /// Binds the next parameter to an integer or NULL.
    mutating func bind(_ value: Int64?) throws {
        guard let value else { index += 1; return try check(sqlite3_bind_null(handle, index)) }
        try bind(value)
    }

    /// Binds the next parameter to text (UTF-8, copied; cut at a NUL byte, as GRDB binds it).
    /// A native string's bytes are bound in place: passing the `String` as a C string built a
    /// NUL-terminated copy of it on the heap for every value.
    mutating func bind(_ value: String) throws {
        index += 1
        let handle = handle, index = index
        let code = value.utf8.withContiguousStorageIfAvailable { bytes -> CInt in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, CInt(bytes.firstIndex(of: 0) ?? bytes.count), Self.transient)
            }
        }
        try check(code ?? sqlite3_bind_text(handle, index, value, -1, Self.transient))
    }

    /// Binds the next parameter to a blob (copied); an empty one stays a blob, never NULL.
    mutating func bind(_ value: Data) throws {
        index += 1
        if value.isEmpty { return try check(sqlite3_bind_zeroblob(handle, index, 0)) }
        try check(value.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, CInt($0.count), Self.transient) })
    }

    /// Binds the next parameter to a blob of `count` bytes that `fill` writes into a scratch
    /// buffer on the stack (copied by SQLite): encoded values bound without building a `Data`.
    mutating func bindBlob(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws {
        index += 1
        let handle = handle, index = index
        if count == 0 { return try check(sqlite3_bind_zeroblob(handle, index, 0)) }
        try check(withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { buffer in
            fill(buffer)
            return sqlite3_bind_blob(handle, index, buffer.baseAddress, CInt(count), Self.transient)
        })
    }

    /// Binds the next parameter to `value` as stored (the few call sites that pass a list).
    mutating func bind(_ value: DatabaseValue) throws {
        switch value.storage {
        case .null: index += 1; try check(sqlite3_bind_null(handle, index))
        case .int64(let v): try bind(v)
        case .double(let v): index += 1; try check(sqlite3_bind_double(handle, index, v))
        case .string(let v): try bind(v)
        case .blob(let v): try bind(v)
        }
    }

    private func checkCount() throws {
        guard index == sqlite3_bind_parameter_count(handle) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "bound \(index) of \(sqlite3_bind_parameter_count(handle)) parameters",
                                sql: statement.sql)
        }
    }

    /// Runs the row (a statement that returns none); throws if fewer or more values were bound
    /// than the SQL has parameters, or if SQLite fails it. The statement is reset before returning.
    func execute() throws {
        try checkCount()
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw stepError(code) }
    }

    /// The error of a failed `sqlite3_step`, with SQLite's message.
    private func stepError(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
    }

    /// Runs a query and decodes its first row with `decode` (nil when it has none). The statement
    /// is reset before returning, so it holds no read transaction open. For point lookups on the
    /// per-file path: GRDB's cursor around one `sqlite3_step` cost ~10k instructions more.
    func fetchFirst<T>(_ decode: (Columns) throws -> T) throws -> T? {
        try checkCount()
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return try decode(Columns(handle: handle))
        case SQLITE_DONE: return nil
        case let code: throw stepError(code)
        }
    }

    /// Runs a query and hands each row to `body` until it returns false or the rows end; the
    /// statement is reset before returning.
    func forEachRow(_ body: (Columns) throws -> Bool) throws {
        try checkCount()
        defer { sqlite3_reset(handle) }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: guard try body(Columns(handle: handle)) else { return }
            case SQLITE_DONE: return
            case let code: throw stepError(code)
            }
        }
    }

    /// The current row's columns (0-based), valid only inside ``fetchFirst(_:)`` and ``forEachRow(_:)``.
    struct Columns {
        let handle: SQLiteStatement

        /// Whether the column is NULL.
        func isNull(_ i: CInt) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

        /// The column as an integer (NULL reads as 0).
        func int64(_ i: CInt) -> Int64 { sqlite3_column_int64(handle, i) }

        /// The column's bytes (NULL reads as empty).
        func data(_ i: CInt) -> Data {
            guard let bytes = sqlite3_column_blob(handle, i) else { return Data() }
            return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, i)))
        }

        /// The column as text, byte for byte (NULL reads as empty).
        func string(_ i: CInt) -> String {
            guard let text = sqlite3_column_text(handle, i) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, i))), as: UTF8.self)
        }
    }
}

import GRDB
import GRDBSQLite

extension Database {
    /// The SQL of each prepared statement of this connection that SQLite has re-prepared, with
    /// how often. SQLite re-prepares a statement whose bound value may change its plan (a column
    /// named in a partial index's condition, compared to a parameter): hundreds of thousands of
    /// instructions per run on the per-file path, so tests check that none is.
    func repreparedStatements() -> [String: Int32] {
        var out: [String: Int32] = [:]
        var statement = sqlite3_next_stmt(sqliteConnection, nil)
        while let s = statement {
            let n = sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0)
            if n > 0, let sql = sqlite3_sql(s) { out[String(cString: sql)] = n }
            statement = sqlite3_next_stmt(sqliteConnection, s)
        }
        return out
    }
}

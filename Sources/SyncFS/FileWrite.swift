/// A whole file's content to be written into a new temp file off the caller's thread: what a
/// folder engine hands a ``FileSyncer`` for a pulled file of one chunk, already verified
/// against its hash, so that creating the temp file, writing it and setting its mode and
/// mtime (an ext4 create and four more system calls per small file) leave the folder's thread.
public struct FileWrite: Sendable {
    /// The temp file's path (in the target's directory, so its later rename is atomic).
    public var path: String
    /// The file's whole content (a view: a pulled chunk stays in the frame that carried it).
    public var data: ArraySlice<UInt8>
    /// The mode the file gets.
    public var permissions: UInt32
    /// The modification time the file gets.
    public var mtimeNanoseconds: Int64

    /// A write of `data` into `path`, with `permissions` and `mtimeNanoseconds`.
    public init(path: String, data: ArraySlice<UInt8>, permissions: UInt32, mtimeNanoseconds: Int64) {
        self.path = path; self.data = data; self.permissions = permissions; self.mtimeNanoseconds = mtimeNanoseconds
    }

    /// A write of all of `data`.
    public init(path: String, data: [UInt8], permissions: UInt32, mtimeNanoseconds: Int64) {
        self.init(path: path, data: data[...], permissions: permissions, mtimeNanoseconds: mtimeNanoseconds)
    }

    /// Creates the file (or reuses one left at `path`, cut to the new length), writes the content,
    /// sets mode and mtime and closes it: ready to be made durable and renamed. On failure the
    /// file is deleted, so nothing half written stays behind.
    public func perform(on fs: any FileSystem) throws(FileSystemError) {
        let (handle, existingSize) = try fs.openCreating(path, permissions: 0o600)
        do throws(FileSystemError) {
            if let existing = existingSize, existing != UInt64(data.count) { try handle.truncate(to: UInt64(data.count)) }
            if !data.isEmpty { try handle.write(data, at: 0) }
            try handle.setPermissions(permissions)
            try handle.setModificationTime(mtimeNanoseconds)
            handle.close()
        } catch {
            handle.close()
            try? fs.remove(path)
            throw error
        }
    }
}

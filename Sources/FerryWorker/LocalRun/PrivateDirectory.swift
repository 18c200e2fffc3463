/// A temporary directory only this user can read (0700) with files only this user can
/// read (0600), for rendered connector configs that hold secrets; removed after the run.
import Foundation

struct PrivateDirectory {
    let path: String

    init() throws(LocalRunError) {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("ferry-run-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } }
        guard let made else {
            throw .failed("creating a private temporary directory: \(String(cString: strerror(errno)))")
        }
        path = made
    }

    /// Writes a new file readable by this user only; returns its path.
    func write(_ name: String, _ text: String) throws(LocalRunError) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .failed("creating \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Glibc.write(fd, $0 + offset, bytes.count - offset) } ?? -1 }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .failed("writing \(file): \(String(cString: strerror(errno)))") }
            offset += n
        }
        return file
    }

    func remove() {
        // Best effort: a leftover temporary directory is not worth failing a finished sync for.
        try? FileManager.default.removeItem(atPath: path)
    }
}

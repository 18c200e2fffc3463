/// Deterministic names for a sync attempt's Pod and Secret, and label values that fit
/// Kubernetes' 63-character limit, shortened with a stable hash as generated names are.
public enum WorkerPodNaming {
    /// Kubernetes' limit for a label value and for a pod's hostname.
    public static let maxLength = 63

    /// `<sync>-<attempt>`; when longer than 63 characters the sync part is cut and a
    /// stable hash of the whole sync name keeps names of different syncs apart.
    public static func podName(sync: String, attempt: Int) -> String {
        let suffix = "-\(attempt)"
        if sync.count + suffix.count <= maxLength { return sync + suffix }
        return shortened(sync, room: maxLength - suffix.count) + suffix
    }

    /// The per-sync Secret's name (Secret names may be 253 characters long).
    public static func secretName(podName: String) -> String { podName + "-config" }

    /// `value` unchanged when it fits a label value, else shortened with a stable hash.
    /// Names of Kubernetes objects only contain characters valid in label values.
    public static func labelValue(_ value: String) -> String {
        value.count <= maxLength ? value : shortened(value, room: maxLength)
    }

    /// `value` cut to fit `room` characters including `-<hash>`; ends alphanumeric.
    static func shortened(_ value: String, room: Int) -> String {
        let hash = stableHash(value)
        var head = String(value.prefix(max(0, room - hash.count - 1)))
        while let last = head.last, !(last.isLetter || last.isNumber) { head.removeLast() }
        return head.isEmpty ? hash : head + "-" + hash
    }

    /// FNV-1a 64 of the UTF-8 bytes in 8 base-36 digits: the same on every run and
    /// every machine (Swift's `Hasher` is seeded per process, so it cannot be used).
    static func stableHash(_ value: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var out = ""
        for _ in 0..<8 {
            out.append(digits[Int(h % 36)])
            h /= 36
        }
        return out
    }
}

/// Deterministic pod names and label values within Kubernetes' 63-character limit.
import Testing
@testable import FerryControllers

@Suite struct WorkerPodNamingTests {
    @Test(arguments: [("s", 1, "s-1"), ("shop-2024", 12, "shop-2024-12"), (String(repeating: "x", count: 61), 1, String(repeating: "x", count: 61) + "-1")])
    func shortNamesUnchanged(sync: String, attempt: Int, expected: String) {
        #expect(WorkerPodNaming.podName(sync: sync, attempt: attempt) == expected)
    }

    @Test(arguments: [62, 63, 100, 253])
    func longNamesShortened(length: Int) {
        let sync = String(repeating: "a", count: length - 2) + ".b"
        let name = WorkerPodNaming.podName(sync: sync, attempt: 7)
        #expect(name.count <= 63)
        #expect(name.hasSuffix("-7"))
        #expect(name.hasPrefix("aaaa"))
        #expect(name == WorkerPodNaming.podName(sync: sync, attempt: 7))
        #expect(name != WorkerPodNaming.podName(sync: sync + "c", attempt: 7))
    }

    @Test func cutNeverEndsOnAPunctuation() {
        // The cut falls right after a dash: it is dropped, not kept before the hash.
        let sync = String(repeating: "a", count: 51) + "-" + String(repeating: "b", count: 20)
        let name = WorkerPodNaming.podName(sync: sync, attempt: 1)
        #expect(!name.contains("--"))
        #expect(name.count <= 63)
    }

    @Test func stableHashIsFixed() {
        // Must never change between releases: a restarted operator finds its pods by name.
        #expect(WorkerPodNaming.stableHash("shop-sync") == "fcpaxzn1")
        #expect(WorkerPodNaming.stableHash("").count == 8)
        #expect(WorkerPodNaming.stableHash("a") != WorkerPodNaming.stableHash("b"))
    }

    @Test func labelValues() {
        #expect(WorkerPodNaming.labelValue("shop") == "shop")
        let long = String(repeating: "c", count: 64)
        #expect(WorkerPodNaming.labelValue(long).count == 63)
        #expect(WorkerPodNaming.labelValue(long) != WorkerPodNaming.labelValue(long + "d"))
    }
}

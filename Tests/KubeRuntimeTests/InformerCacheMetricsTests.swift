/// The informer cache gauges: the JSON size walk matches the serializer on what it counts
/// exactly, and a manager's scrape reports each informer's objects and bytes.
import KubeCore
import Testing
@testable import KubeRuntime

@Suite struct InformerCacheMetricsTests {
    static let object: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": "p-1", "namespace": "data", "labels": ["a": "b"], "annotations": .emptyObject, "generation": 12345, "neg": -7],
        "spec": ["containers": [["name": "c", "args": ["x", "", "z"]]], "empty": .array([]), "flag": true, "off": false, "none": .null],
    ]

    @Test func sizeIsTheCompactJSONLength() {
        #expect(InformerCacheMetrics.jsonSize(Self.object) == Self.object.serializedBytes().count)
        #expect(InformerCacheMetrics.jsonSize(.int(0)) == 1)
        #expect(InformerCacheMetrics.jsonSize(.int(Int64.min)) == String(Int64.min).count)
        #expect(InformerCacheMetrics.jsonSize(.string("é")) == 4)
    }

    @Test func collectSetsObjectsAndBytesPerInformer() {
        let informer = Informer(resource: .pod)
        informer.deliver(.applied(Self.object))
        var second = Self.object
        second[path: ["metadata", "name"]] = "p-2"
        informer.deliver(.applied(second))
        let metrics = MetricsRegistry()
        InformerCacheMetrics.collect(informer, namespace: nil, into: metrics)
        let labels = ["resource": "pods", "namespace": ""]
        #expect(metrics.value(InformerCacheMetrics.objects, labels) == 2)
        #expect(metrics.value(InformerCacheMetrics.bytes, labels) == Double(Self.object.serializedBytes().count + second.serializedBytes().count))
        informer.deliver(.deleted(second))
        InformerCacheMetrics.collect(informer, namespace: nil, into: metrics)
        #expect(metrics.value(InformerCacheMetrics.objects, labels) == 1)
    }
}

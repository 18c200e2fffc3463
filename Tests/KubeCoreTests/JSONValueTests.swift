import Foundation
import KubeCore
import Testing

@Suite("JSONValue parsing and serialization")
struct JSONValueTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)),
        ("1.5", .double(1.5)),
        ("1e3", .double(1000)),
        ("-0.25E-2", .double(-0.0025)),
        ("\"a\\\"b\\\\c\\n\\u00e9\"", .string("a\"b\\c\né")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" { \"a\" : [1, {\"b\": null}] } ", .object(["a": .array([.int(1), .object(["b": .null])])])),
    ])
    func parses(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test(arguments: [
        ("", "unexpected end of JSON input"),
        ("{", "unexpected end of JSON input"),
        ("{\"a\" 1}", "invalid character '1' after object key"),
        ("[1,]", "invalid character ']' looking for beginning of value"),
        ("tru", "unexpected end of JSON input"),
        ("01", "invalid character '1' after top-level value"),
        ("1.", "invalid character after decimal point in numeric literal"),
        ("\"abc", "unexpected end of JSON input"),
        ("{\"a\":1} x", "invalid character 'x' after top-level value"),
        ("{a:1}", "invalid character 'a' looking for beginning of object key string"),
        ("\"\\q\"", "invalid character 'q' in string escape code"),
    ])
    func rejectsMalformed(text: String, message: String) {
        #expect {
            try JSONValue.parse(text)
        } throws: { error in
            (error as? JSONSyntaxError)?.message == message
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test func serializationIsCompactSortedAndRoundTrips() throws {
        let value: JSONValue = ["b": [1, 2.5, "x\u{1}"], "a": ["z": true, "y": nil]]
        let text = value.serialized()
        #expect(text == #"{"a":{"y":null,"z":true},"b":[1,2.5,"x\u0001"]}"#)
        #expect(try JSONValue.parse(text) == value)
    }

    @Test func subscriptsChainAndSettingNullRemoves() {
        var v: JSONValue = ["metadata": ["name": "x", "labels": ["a": "1"]]]
        #expect(v["metadata"]["labels"]["a"] == "1")
        #expect(v["spec"]["missing"]["deeper"] == .null)
        v[path: ["spec", "replicas"]] = 3
        #expect(v["spec"]["replicas"].intValue == 3)
        v["metadata"] = .null
        #expect(!v.has("metadata"))
        v.setKeepingNull("status", .null)
        #expect(v.has("status"))
    }

    @Test func metadataAccessors() throws {
        let v = try JSONValue.parse(#"{"metadata":{"name":"n","namespace":"ns","uid":"u","resourceVersion":"7","generation":2,"labels":{"a":"b"},"finalizers":["f"],"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"pu","controller":true}]}}"#)
        #expect(v.name == "n" && v.namespace == "ns" && v.uid == "u" && v.resourceVersion == "7" && v.generation == 2)
        #expect(v.labels == ["a": "b"])
        #expect(v.finalizers == ["f"])
        #expect(v.ownerReferences == [OwnerReference(apiVersion: "v1", kind: "Pod", name: "p", uid: "pu", controller: true)])
    }

    @Test func codableBridgeRoundTripsTypedValues() throws {
        var meta = ObjectMeta(name: "a", namespace: "b", labels: ["x": "y"])
        meta.generation = 4
        let json = try JSONValue(encoding: meta)
        #expect(json["labels"]["x"] == "y")
        #expect(try json.decode(ObjectMeta.self) == meta)
        let status = try JSONValue.parse(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}"#).decode(Status.self)
        #expect(status.statusReason == .notFound && status.code == 404 && status.details?.name == "x")
        // Watch ERROR events and proxies omit kind, apiVersion and metadata.
        let bare = try #require(Status(json: ["status": "Failure", "reason": "Expired", "code": 410]))
        #expect(bare.statusReason == .expired && bare.code == 410 && bare.kind == "Status")
        #expect(Status(json: "not an object") == nil)
    }
}

@Suite("RFC 3339 time")
struct KubeTimeTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-11-22T00:33:29Z", 1_795_307_609.0),
        ("2000-02-29T12:00:00+02:00", 951_818_400.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2024-01-01T00:00:00.5Z", 1_704_067_200.5),
    ])
    func parsesAndFormats(text: String, seconds: Double) throws {
        let date = try #require(KubeTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
        if !text.contains("+") && !text.contains(".") { #expect(KubeTime.format(date) == text) }
    }

    @Test(arguments: ["", "2024-13-01T00:00:00Z", "2024-01-01 00:00", "2024-01-01T00:00:00", "2024-01-01T00:00:00Zjunk"])
    func rejects(text: String) {
        #expect(KubeTime.parse(text) == nil)
    }

    @Test func microTimeHasSixDigits() {
        #expect(KubeTime.formatMicro(Date(timeIntervalSince1970: 1.25)) == "1970-01-01T00:00:01.250000Z")
    }
}

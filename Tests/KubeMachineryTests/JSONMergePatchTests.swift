/// RFC 7386 merge patch tests (apply and create round trip).
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct JSONMergePatchTests {
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, "{}"),
        (#"{"a":{"b":1,"c":2}}"#, #"{"a":{"b":null,"d":3}}"#, #"{"a":{"c":2,"d":3}}"#),
        (#"{"a":[1,2]}"#, #"{"a":[3]}"#, #"{"a":[3]}"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"["a"]"#, #"{"a":"b"}"#, #"{"a":"b"}"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
    ])
    func applies(_ target: String, _ patch: String, _ result: String) {
        #expect(JSONMergePatch.apply(json(patch), to: json(target)) == json(result))
    }

    @Test(arguments: [
        (#"{"a":1,"b":{"c":2,"d":3}}"#, #"{"a":1,"b":{"c":5},"e":[1]}"#),
        (#"{"status":{"ready":false}}"#, #"{"status":{"ready":true,"phase":"Running"}}"#),
        ("{}", #"{"x":{"y":"z"}}"#),
    ])
    func createRoundTrips(_ original: String, _ modified: String) {
        let patch = JSONMergePatch.create(from: json(original), to: json(modified))
        #expect(JSONMergePatch.apply(patch, to: json(original)) == json(modified))
    }
}

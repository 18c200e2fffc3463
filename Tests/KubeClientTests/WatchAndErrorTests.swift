/// Watch stream line splitting and event decoding, and API error classification.
import Foundation
import KubeCore
import Testing

@testable import KubeClient

@Suite struct WatchLineSplitterTests {
    @Test func chunksSplitAnywhere() throws {
        let stream = #"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"# + "\n" + #"{"type":"MODIFIED","object":{"metadata":{"name":"b"}}}"# + "\r\n\n"
        let bytes = Array(stream.utf8)
        for chunkSize in [1, 2, 7, 50, bytes.count] {
            var splitter = WatchLineSplitter()
            var lines: [[UInt8]] = []
            var i = 0
            while i < bytes.count {
                lines += try splitter.append(bytes[i..<min(i + chunkSize, bytes.count)])
                i += chunkSize
            }
            #expect(splitter.finish() == nil)
            let events = try lines.map { try WatchLineSplitter.decode(line: $0, operation: "test") }
            #expect(events.map(\.type) == [.added, .modified], "chunk size \(chunkSize)")
            #expect(events.map { $0.object.name } == ["a", "b"])
        }
    }

    @Test func unterminatedLastLine() throws {
        var splitter = WatchLineSplitter()
        #expect(try splitter.append(Array(#"{"type":"DELETED","object":{}}"#.utf8)).isEmpty)
        let remainder = splitter.finish()
        let last = try #require(remainder)
        #expect(try WatchLineSplitter.decode(line: last, operation: "t").type == .deleted)
    }

    @Test func oversizedLineIsAnError() {
        var splitter = WatchLineSplitter(maxLineBytes: 8)
        #expect(throws: WatchLineSplitter.LineTooLong.self) { try splitter.append(Array("0123456789".utf8)) }
    }

    @Test func errorEventBecomesTypedError() {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (10)","reason":"Expired","code":410}}"#
        do {
            _ = try WatchLineSplitter.decode(line: Array(line.utf8), operation: "WATCH /api/v1/pods")
            Issue.record("expected an error")
        } catch {
            #expect(error.isGone)
            #expect(error.apiError?.code == 410)
            #expect(error.apiError?.message == "too old resource version: 5 (10)")
        }
    }

    @Test func badLinesAreDecodingErrors() {
        for line in ["{not json", #"{"type":"WHAT","object":{}}"#] {
            do {
                _ = try WatchLineSplitter.decode(line: Array(line.utf8), operation: "w")
                Issue.record("expected an error for \(line)")
            } catch {
                guard case .decoding = error else { Issue.record("expected a decoding error, got \(error)"); continue }
            }
        }
    }

    @Test func bookmarkPassesThrough() throws {
        let line = #"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"42","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
        let event = try WatchLineSplitter.decode(line: Array(line.utf8), operation: "w")
        #expect(event.type == .bookmark)
        #expect(event.object.resourceVersion == "42")
        #expect(event.object.annotations[WatchEvent.initialEventsEndAnnotation] == "true")
    }
}

@Suite struct APIErrorTests {
    @Test func decodesStatusBody() {
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"x is invalid","reason":"Invalid","details":{"name":"x","kind":"widgets","causes":[{"reason":"FieldValueInvalid","message":"must be positive","field":"spec.replicas"}]},"code":422}"#
        let e = APIError(code: 422, body: Array(body.utf8), operation: "POST /apis/x/v1/widgets")
        #expect(e.isInvalid)
        #expect(!e.isNotFound)
        #expect(e.causes.map(\.field) == ["spec.replicas"])
        #expect(e.description == "POST /apis/x/v1/widgets: 422 Invalid: x is invalid")
    }

    @Test(arguments: [
        (404, StatusReason.notFound, "the server could not find the requested resource"),
        (409, .conflict, "the server reported a conflict"),
        (401, .unauthorized, "the server has asked for the client to provide credentials"),
        (403, .forbidden, "the server does not allow access to the requested resource"),
        (410, .gone, "the server has asked for the client to restart the request"),
        (429, .tooManyRequests, "the server has received too many requests and has asked us to try again later"),
        (504, .serverTimeout, "the server was unable to return a response in the time allotted, but may still be processing the request"),
        (502, .unknown, "an error on the server (502) has prevented the request from succeeding"),
    ])
    func synthesizesStatusForNonStatusBodies(_ code: Int, _ reason: StatusReason, _ message: String) {
        let e = APIError(code: code, body: Array("<html>proxy error</html>".utf8), retryAfterHeader: 7, operation: "GET /x")
        #expect(e.reason == reason)
        #expect(e.message == message)
        #expect(e.status.code == code)
        #expect(e.causes.first?.reason == CauseType.unexpectedServerResponse)
        #expect(e.causes.first?.message == "<html>proxy error</html>")
        #expect(e.retryAfter == 7)
    }

    @Test func classification() {
        func err(_ code: Int, _ reason: StatusReason, retryAfter: Int? = nil) -> APIError {
            APIError(code: code, status: Status(reason: reason, details: StatusDetails(retryAfterSeconds: retryAfter), code: code), operation: "op")
        }
        #expect(err(409, .alreadyExists).isAlreadyExists)
        #expect(!err(409, .alreadyExists).isConflict)
        #expect(err(409, .conflict).isConflict)
        #expect(err(410, .expired).isGone)
        #expect(err(500, .expired).isGone, "reason Expired alone means Gone (watch ERROR events)")
        #expect(err(429, .tooManyRequests, retryAfter: 3).isTooManyRequests)
        #expect(err(429, .tooManyRequests, retryAfter: 3).retryAfter == 3)
        #expect(err(401, .unauthorized).isUnauthorized)
        #expect(err(403, .forbidden).isForbidden)
        #expect(err(504, .serverTimeout).isServerTimeout)
        #expect(KubeClientError.api(err(404, .notFound)).isNotFound)
        #expect(!KubeClientError.transport(TransportError(operation: "GET /", underlying: "refused")).isNotFound)
    }
}

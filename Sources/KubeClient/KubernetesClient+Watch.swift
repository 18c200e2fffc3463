/// Watching a collection: a streamed `?watch=true` response turned into `WatchEvent`s.
import AsyncHTTPClient
import KubeCore
import NIOCore

extension KubernetesClient {
    /// Watches `resource` (all namespaces when `namespace` is nil for a namespaced type).
    ///
    /// Guarantees: events arrive in server order; an `ERROR` event ends the stream with an
    /// `.api` error (check `isGone` and relist); `timeoutSeconds` elapsing ends the stream
    /// normally. Terminating the stream — cancelling the consuming task or dropping the
    /// stream — cancels the request and closes its connection.
    /// Caveats: the request starts as soon as this is called, not at the first `next()`.
    public func watch(_ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()) -> AsyncThrowingStream<WatchEvent, any Error> {
        watch(RequestBuilder(resource).watch(namespace: resource.namespaced ? namespace : nil, options: options))
    }

    /// Streams the events of a prepared watch request.
    public func watch(_ request: APIRequest) -> AsyncThrowingStream<WatchEvent, any Error> {
        let operation = "WATCH \(request.path)"
        return AsyncThrowingStream { continuation in
            // The stream owns this task: its termination cancels the task, which cancels the
            // HTTP request and closes the connection. Nothing else holds the task.
            let task = Task {
                do throws(KubeClientError) {
                    let response = try await self.execute(request, watch: true)
                    var splitter = WatchLineSplitter()
                    do {
                        for try await chunk in response.body {
                            for line in try splitter.append(chunk.readableBytesView) {
                                continuation.yield(try WatchLineSplitter.decode(line: line, operation: operation))
                            }
                        }
                    } catch let e as KubeClientError {
                        throw e
                    } catch let e as WatchLineSplitter.LineTooLong {
                        throw .decoding(DecodingFailure(operation: operation, message: "watch event longer than \(e.limit) bytes"))
                    } catch {
                        if Task.isCancelled { throw .cancelled(operation: operation) }
                        throw .transport(TransportError(operation: operation, underlying: "watch stream broke: \(error)"))
                    }
                    if let last = splitter.finish() {
                        continuation.yield(try WatchLineSplitter.decode(line: last, operation: operation))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

import Foundation
import GRPCCore

/// The watch: one bidirectional stream per subscription, its responses turned into `WatchBatch`es.
extension GRPCEtcdClient {
    public func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        let (requests, requestSink) = AsyncStream<Etcdserverpb_WatchRequest>.makeStream()
        let (batches, batchSink) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = Data(KeyText.encode(prefix))
        create.rangeEnd = Data(KeyText.encode(KeyRange.prefixEnd(prefix)))
        create.startRevision = startRevision
        create.watchID = 1
        var createRequest = Etcdserverpb_WatchRequest()
        createRequest.createRequest = create
        requestSink.yield(createRequest)

        let watchClient = Etcdserverpb_Watch.Client(wrapping: client)
        let task = Task { [auth, configuration] in
            do {
                var metadata = try await auth.metadata()
                // A member cut off from the quorum cancels the watch instead of going quiet.
                metadata.addString("true", forKey: "hasleader")
                var options = CallOptions.defaults
                options.waitForReady = true
                options.maxRequestMessageBytes = 256 << 20
                options.maxResponseMessageBytes = 256 << 20
                try await watchClient.watch(
                    metadata: metadata,
                    options: options,
                    requestProducer: { writer in
                        for await request in requests { try await writer.write(request) }
                    },
                    onResponse: { response in
                        for try await message in response.messages {
                            batchSink.yield(try WatchBatch(message))
                        }
                    }
                )
                batchSink.finish(throwing: EtcdError.watchEnded("the server closed the stream"))
            } catch let error as EtcdError {
                batchSink.finish(throwing: error)
            } catch {
                let mapped = ErrorMapping.map(
                    error,
                    operation: "watching \(prefix)",
                    revision: startRevision,
                    configuration: configuration
                )
                batchSink.finish(throwing: mapped.error)
            }
            requestSink.finish()
        }
        batchSink.onTermination = { _ in
            task.cancel()
            requestSink.finish()
        }
        var progress = Etcdserverpb_WatchRequest()
        progress.progressRequest = Etcdserverpb_WatchProgressRequest()
        let progressRequest = progress
        return WatchSubscription(
            batches: batches,
            requestProgress: { requestSink.yield(progressRequest) },
            cancel: {
                task.cancel()
                requestSink.finish()
            }
        )
    }
}

/// `refresh: clear`, as Airbyte resets a connection: the destination runs alone, every
/// stream in overwrite mode, and gets only each stream's COMPLETE status — so it replaces
/// each stream with nothing (an overwrite destination swaps in its empty new table).
import AirbyteProtocol
import KubeCore

extension SyncCatalogs {
    /// The same streams, each full_refresh / overwrite (a dedup mode's key is kept but unused).
    public var clearing: SyncCatalogs {
        func overwrite(_ catalog: ConfiguredCatalog) -> ConfiguredCatalog {
            ConfiguredCatalog(streams: catalog.streams.map { stream in
                var stream = stream
                stream.syncMode = .fullRefresh
                stream.destinationSyncMode = .overwrite
                return stream
            })
        }
        var copy = self
        copy.source = overwrite(source)
        copy.destination = overwrite(destination)
        return copy
    }
}

/// The input an empty source gives the destination for `clear`: one STREAM_STATUS
/// COMPLETE per stream of `catalog`, as Airbyte's empty source for resets sends.
public enum ClearingInput {
    public static func lines(for catalog: ConfiguredCatalog, emittedAt: Int64) -> [String] {
        catalog.streams.map { stream in
            var descriptor: JSONValue = ["name": .string(stream.descriptor.name)]
            if let namespace = stream.descriptor.namespace { descriptor["namespace"] = .string(namespace) }
            let message: JSONValue = ["type": "TRACE", "trace": [
                "type": "STREAM_STATUS", "emitted_at": .int(emittedAt),
                "stream_status": ["stream_descriptor": descriptor, "status": "COMPLETE"],
            ]]
            return message.serialized()
        }
    }
}

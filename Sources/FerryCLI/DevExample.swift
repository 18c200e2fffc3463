/// The built-in example `ferry dev --example` applies: `examples/01-sample-to-jsonl.yaml`
/// as it is in the repository (a test keeps the two equal), and a Sync of its Connection,
/// so a new user sees a Sync run and succeed within seconds with nothing but this binary.
enum DevExample {
    static let connectionExample = #"""
# The first thing to try: Ferry's built-in deterministic sample source writes into
# JSON-lines files. Both connectors ship inside the ferry image, so nothing needs pulling.
# Run it with no cluster:  ferry run -f examples/01-sample-to-jsonl.yaml
# On a cluster:            ferry sync sample-to-files --wait     (or create a Sync, see below)
apiVersion: ferry.dev/v1alpha1
kind: Source
metadata:
  name: sample
spec:
  image: ferry:latest
  # The built-in connectors are subcommands of the ferry binary.
  command: [ferry, connector, source-sample]
  config:
    # Records per stream; the sample is deterministic, so every run emits the same data.
    count: 1000
---
apiVersion: ferry.dev/v1alpha1
kind: Destination
metadata:
  name: local-files
spec:
  image: ferry:latest
  command: [ferry, connector, destination-jsonl]
  config:
    # One <stream>.jsonl file per stream in this directory, relative to the connector's
    # working directory (the current directory under `ferry run`).
    destination_path: sample-output
---
apiVersion: ferry.dev/v1alpha1
kind: Connection
metadata:
  name: sample-to-files
spec:
  sourceRef:
    name: sample
  destinationRef:
    name: local-files
  # No schedule: syncs run only when triggered (ferry sync, or a Sync object such as
  #   {apiVersion: ferry.dev/v1alpha1, kind: Sync, metadata: {generateName: sample-to-files-},
  #    spec: {connectionRef: {name: sample-to-files}}}   created with kubectl create -f).
  streams:
    # Incremental: the second run reads only records past the committed cursor.
    - name: users
      syncMode: incremental
      destinationSyncMode: append
      cursorField: [updated_at]
    # Full refresh: every run rewrites the whole stream.
    - name: products
      syncMode: full_refresh
      destinationSyncMode: overwrite
"""#

    static let sync = """
        apiVersion: ferry.dev/v1alpha1
        kind: Sync
        metadata:
          name: sample-to-files-example
        spec:
          connectionRef:
            name: sample-to-files
        """

    static var yaml: String { connectionExample + "\n---\n" + sync + "\n" }
}

/// Bad manifests: references and connector secrets (see BadManifestTests.swift).

extension BadManifestTable {
    static let connectors: [BadManifest] = [
    BadManifest("missing ref: sourceRef", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              destinationRef: {name: d}
            """, expected: [
            "Connection/c: spec.sourceRef: Required value",
        ]),
    BadManifest("missing ref: empty Sync connectionRef name", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: manual}
            spec:
              connectionRef: {name: ""}
            """, expected: [
            "Sync/manual: spec.connectionRef.name: Invalid value: \"\": spec.connectionRef.name in body should be at least 1 chars long",
            "Sync/manual: spec.connectionRef.name: Invalid value: \"\": spec.connectionRef.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
        ]),
    BadManifest("missing image", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              config: {host: db}
            """, expected: [
            "Source/s: spec.image: Required value",
        ]),
    BadManifest("secret value inline", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              config: {host: db, password: hunter2}
            """, expected: [
            "Source/s: spec.config.password: Forbidden: secret values must not be written inline; store it in a Secret and add a secretRefs entry with path: /password",
        ]),
    BadManifest("nested secret value inline", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              config: {tunnel: {ssh_private_key: abc}}
            """, expected: [
            "Source/s: spec.config.tunnel.ssh_private_key: Forbidden: secret values must not be written inline; store it in a Secret and add a secretRefs entry with path: /tunnel/ssh_private_key",
        ]),
    BadManifest("secretRef path is not a JSON pointer", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              secretRefs:
                - {path: password, secretKeyRef: {name: db, key: password}}
            """, expected: [
            "Source/s: spec.secretRefs[0].path: Invalid value: \"password\": spec.secretRefs[0].path in body should match '^(/([^/~]|~[01])*)+$'",
        ]),
    BadManifest("secretRef path with a bad escape", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              secretRefs:
                - {path: /a~2b, secretKeyRef: {name: db, key: password}}
            """, expected: [
            "Source/s: spec.secretRefs[0].path: Invalid value: \"/a~2b\": spec.secretRefs[0].path in body should match '^(/([^/~]|~[01])*)+$'",
        ]),
    BadManifest("secretRef path through a non-object", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              config: {host: db}
              secretRefs:
                - {path: /host/password, secretKeyRef: {name: db, key: password}}
            """, expected: [
            "Source/s: spec.secretRefs[0].path: Invalid value: \"/host/password\": goes through config.host, which is not an object",
        ]),
    BadManifest("duplicate secretRef paths", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              secretRefs:
                - {path: /password, secretKeyRef: {name: db, key: a}}
                - {path: /password, secretKeyRef: {name: db, key: b}}
            """, expected: [
            "Source/s: spec.secretRefs[1].path: Duplicate value: \"/password\": already set by spec.secretRefs[0]",
        ]),
    BadManifest("secretRef without key", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              secretRefs:
                - {path: /password, secretKeyRef: {name: db}}
            """, expected: [
            "Source/s: spec.secretRefs[0].secretKeyRef.key: Required value",
        ]),
    BadManifest("cursor missing for incremental", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams:
                - name: users
                  syncMode: incremental
            """, expected: [
            "Connection/c: spec.streams[0].cursorField: Required value: incremental sync needs a cursor unless the source defines one",
        ]),
    BadManifest("dedup without primary key", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams:
                - {name: users, destinationSyncMode: append_dedup}
            """, expected: [
            "Connection/c: spec.streams[0].primaryKey: Required value: append_dedup needs a primary key unless the source defines one",
        ]),
    ]
}

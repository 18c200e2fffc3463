/// OpenAPI schemas, printer columns and names of Source and Destination.
import KubeCore

extension ConnectorSpec {
    static func schema(role: String) -> FieldSchema {
        .object("Which Airbyte-protocol connector to run as a \(role), and its configuration.", required: ["image"], [
            "image": .string("Airbyte-protocol connector image, e.g. airbyte/source-postgres:3.6.28.", minLength: 1),
            "command": .strings("Entrypoint override; empty means the image's AIRBYTE_ENTRYPOINT. Use it for connectors run as a command, e.g. [source-faker] (the console script of the PyPI package airbyte-source-faker)."),
            "config": .freeForm("Connector configuration as the connector's spec defines it, without secret values (those go in secretRefs)."),
            "secretRefs": .array("Secret values merged into config at JSON-pointer paths before the connector runs.", of: SecretRef.schema),
            "resources": ResourceRequirements.schema("Default compute resources of this connector's container; a Connection's resources take precedence."),
            "check": .object("When the connector's check runs; it always runs when the spec changes.", [
                "interval": .duration("How often check runs again, as a duration such as 30m or 1h.", default: "1h"),
            ]).defaulted([:]),
        ])
    }
}

extension DiscoveredCatalog {
    static let schema = FieldSchema.object("Result of the connector's discover, summarized.", [
        "discoveredAt": .time("When discover last succeeded."),
        "streams": .array("Streams the source offers.", of: .object("A discovered stream.", required: ["name"], [
            "name": .string("Stream name."),
            "namespace": .string("Stream namespace (e.g. a database schema)."),
            "supportedSyncModes": .array("Sync modes the stream supports.", of: .enum("A sync mode.", SyncMode.self)),
            "sourceDefinedCursor": .boolean("Whether the source chooses the cursor itself."),
            "defaultCursorField": .strings("Cursor field the source suggests, as a path."),
            "sourceDefinedPrimaryKey": .array("Primary key the source defines, as a list of field paths.", of: .strings("A field path.")),
            "fields": .strings("Top-level field names of the stream's JSON schema, sorted; absent when the schema lists none. Connections compare them between discoveries (spec.schemaChanges)."),
        ])),
    ])
}

extension Source {
    public static let definition = ResourceDefinition(
        description: "Source is an Airbyte-protocol source connector instance: which connector, and its configuration.",
        shortNames: ["fsrc"],
        spec: ConnectorSpec.schema(role: "source"),
        status: .object("Observed state of the Source.", [
            "observedGeneration": .integer("metadata.generation the status describes.", format: "int64", minimum: 0),
            "conditions": Condition.listSchema.withDescription("Ready (config resolved and the last check passed), Checked and Discovered."),
            "lastCheckTime": .time("When check last ran."),
            "catalog": DiscoveredCatalog.schema,
        ]),
        printerColumns: [
            PrinterColumn("Image", jsonPath: ".spec.image", description: "Connector image."),
            .ready,
            PrinterColumn("Last Check", type: "date", jsonPath: ".status.lastCheckTime", description: "When check last ran."),
            .reason,
            .age,
        ]
    )
}

extension Destination {
    public static let definition = ResourceDefinition(
        description: "Destination is an Airbyte-protocol destination connector instance: which connector, and its configuration.",
        shortNames: ["fdst"],
        spec: ConnectorSpec.schema(role: "destination"),
        status: .object("Observed state of the Destination.", [
            "observedGeneration": .integer("metadata.generation the status describes.", format: "int64", minimum: 0),
            "conditions": Condition.listSchema.withDescription("Ready (config resolved and the last check passed) and Checked."),
            "lastCheckTime": .time("When check last ran."),
        ]),
        printerColumns: [
            PrinterColumn("Image", jsonPath: ".spec.image", description: "Connector image."),
            .ready,
            PrinterColumn("Last Check", type: "date", jsonPath: ".status.lastCheckTime", description: "When check last ran."),
            .reason,
            .age,
        ]
    )
}

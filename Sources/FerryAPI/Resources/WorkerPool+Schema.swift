/// OpenAPI schema, printer columns, names and scale subresource of WorkerPool.
import KubeCore

extension MetricTarget {
    static let schema = FieldSchema.object("Target value of the metric; set exactly one of averageValue or averageUtilization.", [
        "averageValue": .quantity("Target average per worker (Queue: queued + running syncs per worker)."),
        "averageUtilization": .integer("Target average utilization in percent of the workers' requests (Resource).", minimum: 1),
    ])
    .rule("has(self.averageValue) != has(self.averageUtilization)", message: "exactly one of averageValue or averageUtilization must be set")
}

extension ScalingRules {
    static func schema(_ description: String) -> FieldSchema {
        .object(description, [
            "stabilizationWindowSeconds": .integer("Past recommendations considered when scaling, in seconds (0-3600). Default: 0 up, 300 down.", minimum: 0, maximum: 3600),
            "selectPolicy": .enum("Which policy applies when several do: Max, Min or Disabled (no scaling in this direction).", SelectPolicy.self),
            "policies": .array("Limits on how fast the worker count changes.", of: .object("A scaling policy.", required: ["type", "value", "periodSeconds"], [
                "type": .enum("Pods limits by a number of workers, Percent by a percentage of the current count.", ScalingPolicy.PolicyType.self),
                "value": .integer("Amount of change allowed per period.", minimum: 1),
                "periodSeconds": .integer("Window the policy applies to, in seconds (1-1800).", minimum: 1, maximum: 1800),
            ])),
        ])
    }
}

extension PoolAutoscaling {
    static let schema = FieldSchema.object("Autoscaling of the worker count; when absent, workers is fixed.", required: ["maxWorkers"], [
        "minWorkers": .integer("Lowest worker count.", minimum: 0, default: 1),
        "maxWorkers": .integer("Highest worker count.", minimum: 1),
        "metrics": .array("Metrics the worker count follows; the desired count is the maximum over them (HPA formula, 10% tolerance). Default: Queue with averageValue 1.", of: .object("A metric.", required: ["type"], [
            "type": .enum("Queue: (queued + running syncs) per worker. Resource: CPU or memory utilization of running workers.", PoolMetricType.self),
            "target": MetricTarget.schema,
            "resource": .object("The resource metric (type Resource).", required: ["name", "target"], [
                "name": .enum("Resource name.", ResourceMetricName.self),
                "target": MetricTarget.schema,
            ]),
        ])
        .rule("self.type != 'Queue' || has(self.target)", message: "target is required for type Queue", fieldPath: ".target", reason: "FieldValueRequired")
        .rule("self.type != 'Resource' || has(self.resource)", message: "resource is required for type Resource", fieldPath: ".resource", reason: "FieldValueRequired")),
        "behavior": .object("Scaling behavior, with the same shape and defaults as autoscaling/v2 HPA behavior.", [
            "scaleUp": ScalingRules.schema("Rules for adding workers."),
            "scaleDown": ScalingRules.schema("Rules for removing workers."),
        ]),
    ])
    .rule("!has(self.minWorkers) || self.minWorkers <= self.maxWorkers", message: "minWorkers must be less than or equal to maxWorkers", fieldPath: ".minWorkers")
}

extension WorkerPool {
    /// Why `spec.workers` and `spec.autoscaling` cannot both be set (also what `kubectl
    /// scale` meets on an autoscaled pool).
    public static let workersWithAutoscalingMessage =
        "workers is chosen by the autoscaler when autoscaling is set: remove spec.workers, or remove spec.autoscaling to set the count by hand or with kubectl scale"

    public static let definition = ResourceDefinition(
        description: "WorkerPool limits how many sync workers run at once, scaled the way an HPA scales replicas.",
        shortNames: ["fpool"],
        spec: .object("Capacity of the pool and defaults for its worker pods.", [
            "workers": .integer("Worker count when autoscaling is absent; the scale subresource's replicas.", minimum: 0),
            "autoscaling": PoolAutoscaling.schema,
            "warmWorkers": .integer("Placeholder pods kept for capacity headroom, so the cluster autoscaler adds nodes ahead of syncs.", minimum: 0, default: 0),
            "template": .object("Defaults for every worker pod of this pool.", [
                "resources": WorkerResources.schema("Resources per container of worker pods; a Connection's or connector's resources take precedence."),
                "nodeSelector": PodSchedulingSchemas.nodeSelector,
                "tolerations": Toleration.listSchema,
                "affinity": PodSchedulingSchemas.affinity,
                "priorityClassName": PodSchedulingSchemas.priorityClassName,
                "serviceAccountName": PodSchedulingSchemas.serviceAccountName,
            ]),
        ])
        .rule("!has(self.workers) || !has(self.autoscaling)", message: WorkerPool.workersWithAutoscalingMessage, fieldPath: ".workers", reason: "FieldValueForbidden"),
        status: .object("Observed state of the WorkerPool.", [
            "observedGeneration": .integer("metadata.generation the status describes.", format: "int64", minimum: 0),
            "workers": .integer("Current worker count (the scale subresource's status replicas).", minimum: 0),
            "desiredWorkers": .integer("Worker count the autoscaler last chose.", minimum: 0),
            "queuedSyncs": .integer("Syncs waiting for capacity.", minimum: 0),
            "runningSyncs": .integer("Syncs holding a worker.", minimum: 0),
            "lastScaleTime": .time("When the worker count last changed."),
            "selector": .string("Label selector of the pool's worker pods, as a string (the scale subresource's selector)."),
            "conditions": Condition.listSchema.withDescription("AbleToScale, ScalingActive and ScalingLimited, with HPA reasons."),
        ]),
        printerColumns: [
            // spec.workers is the capacity (set by hand, kubectl scale or the autoscaler);
            // status.workers is what the operator has made available.
            PrinterColumn("Workers", type: "integer", jsonPath: ".spec.workers", description: "Worker capacity (the scale subresource's replicas)."),
            PrinterColumn("Current", type: "integer", jsonPath: ".status.workers", description: "Current worker count."),
            PrinterColumn("Min", type: "integer", jsonPath: ".spec.autoscaling.minWorkers", description: "Lowest worker count when autoscaled."),
            PrinterColumn("Max", type: "integer", jsonPath: ".spec.autoscaling.maxWorkers", description: "Highest worker count when autoscaled."),
            PrinterColumn("Desired", type: "integer", jsonPath: ".status.desiredWorkers", description: "Worker count the autoscaler last chose.", priority: 1),
            PrinterColumn("Queued", type: "integer", jsonPath: ".status.queuedSyncs", description: "Syncs waiting for capacity."),
            PrinterColumn("Running", type: "integer", jsonPath: ".status.runningSyncs", description: "Syncs holding a worker."),
            .age,
        ],
        scale: ScaleSubresource(specReplicasPath: ".spec.workers", statusReplicasPath: ".status.workers", labelSelectorPath: ".status.selector"),
        specRequired: false
    )
}

// The ConnectionScaler custom resource and the RBAC rules of the controller, defined once here.
// Plain objects with no imports: the cdk8s app renders them into the chart's CRD and Role, and the
// controller and its tests read the same definitions.

export const GROUP = 'gambit.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'ConnectionScaler';
export const PLURAL = 'connectionscalers';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Annotation the ReplicaSet controller reads: pods with a lower cost are removed first on scale-down. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export interface ConnectionScalerSpec {
  scaleTargetRef: { apiVersion?: string; kind: 'Deployment'; name: string };
  targetConnectionsPerPod: number;
  minReplicas?: number;
  maxReplicas: number;
  /** Ratio (0-1) around the target within which nothing changes (the HPA's default is 0.1). */
  tolerance?: number;
  behavior?: {
    scaleUp?: { stabilizationWindowSeconds?: number };
    scaleDown?: { stabilizationWindowSeconds?: number };
  };
}

export interface ScalerCondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ConnectionScalerStatus {
  observedGeneration?: number;
  currentReplicas?: number;
  desiredReplicas?: number;
  totalConnections?: number;
  reportingPods?: number;
  lastScaleTime?: string;
  conditions?: ScalerCondition[];
}

export interface ConnectionScaler {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: { name: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string; creationTimestamp?: string };
  spec: ConnectionScalerSpec;
  status?: ConnectionScalerStatus;
}

const windowSeconds = (def: number, description: string) => ({
  type: 'integer', minimum: 0, maximum: 3600, default: def, description,
});

const condition = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string', enum: ['AbleToScale', 'ScalingActive', 'ScalingLimited'] },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
};

/** apiextensions.k8s.io/v1 CustomResourceDefinition of ConnectionScaler. */
export const connectionScalerCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'gambit', 'app.kubernetes.io/component': 'room-reaper' } },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: 'connectionscaler', shortNames: ['cscaler'], categories: ['gambit'] },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Target', type: 'string', jsonPath: '.spec.scaleTargetRef.name', description: 'The gateway Deployment' },
          { name: 'Per-Pod', type: 'integer', jsonPath: '.spec.targetConnectionsPerPod', description: 'Target connections per pod' },
          { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicas' },
          { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicas' },
          { name: 'Connections', type: 'integer', jsonPath: '.status.totalConnections', description: 'Live connections reported by the pods' },
          { name: 'Replicas', type: 'integer', jsonPath: '.status.currentReplicas' },
          { name: 'Desired', type: 'integer', jsonPath: '.status.desiredReplicas' },
          { name: 'Active', type: 'string', jsonPath: '.status.conditions[?(@.type=="ScalingActive")].status' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'Scales a gateway Deployment on the live WebSocket connections its pods report.',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['scaleTargetRef', 'targetConnectionsPerPod', 'maxReplicas'],
                'x-kubernetes-validations': [
                  { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
                ],
                properties: {
                  scaleTargetRef: {
                    type: 'object',
                    required: ['kind', 'name'],
                    properties: {
                      apiVersion: { type: 'string', enum: ['apps/v1'], default: 'apps/v1' },
                      kind: { type: 'string', enum: ['Deployment'] },
                      name: { type: 'string', minLength: 1, maxLength: 253 },
                    },
                  },
                  targetConnectionsPerPod: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Connections one gateway pod should hold' },
                  minReplicas: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
                  maxReplicas: { type: 'integer', minimum: 1, maximum: 1000 },
                  tolerance: { type: 'number', minimum: 0, maximum: 1, default: 0.1, description: 'No change while load is within this ratio of the target' },
                  behavior: {
                    type: 'object',
                    properties: {
                      scaleUp: {
                        type: 'object',
                        properties: { stabilizationWindowSeconds: windowSeconds(0, 'Scale up to the lowest recommendation of this window') },
                      },
                      scaleDown: {
                        type: 'object',
                        properties: { stabilizationWindowSeconds: windowSeconds(300, 'Scale down to the highest recommendation of this window') },
                      },
                    },
                  },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
                  currentReplicas: { type: 'integer', minimum: 0 },
                  desiredReplicas: { type: 'integer', minimum: 0 },
                  totalConnections: { type: 'integer', minimum: 0 },
                  reportingPods: { type: 'integer', minimum: 0 },
                  lastScaleTime: { type: 'string', format: 'date-time' },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                    items: condition,
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** A rule of a Role / ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * Everything the controller does in its namespace, and nothing more (a namespaced Role). The test
 * API server refuses any request these rules do not allow, as the real one would.
 */
export const rbacRules: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ['list'] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['patch'] },
];

/**
 * The NetworkPolicies the Longhorn chart renders, for the evaluator tests: helm.v4.Chart renders
 * charts at deploy time, so the offline plan holds the chart's values but not its objects. This is
 * a transcription of longhorn/longhorn v1.12.1 chart/templates/network-policies/*.yaml, template
 * conditions included, applied to the values the program passes (components/storage/longhorn-values.ts).
 * Re-read those templates when CHARTS.longhorn changes.
 */
import type { LonghornValues } from "../../components/storage/longhorn-values";

type Obj = Record<string, unknown>;

const LONGHORN_SOURCES_OF_INSTANCE_MANAGERS = [
  { podSelector: { matchLabels: { app: "longhorn-manager" } } },
  { podSelector: { matchLabels: { "longhorn.io/component": "instance-manager" } } },
  { podSelector: { matchLabels: { "longhorn.io/component": "backing-image-manager" } } },
  { podSelector: { matchLabels: { "longhorn.io/component": "backing-image-data-source" } } },
];

/** What chart/templates/network-policies/ renders for `values` in `namespace`. */
export function longhornChartPolicies(namespace: string, values: LonghornValues): Obj[] {
  const np = values.networkPolicies;
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  });
  const out: Obj[] = [];
  // `{{- if .Values.networkPolicies.restrictInternalTraffic }}` (every template but the UI's).
  if (np.restrictInternalTraffic) {
    // backing-image-data-source-network-policy.yaml, backing-image-manager-network-policy.yaml,
    // instance-manager-networking.yaml: the same four sources, any port.
    for (const [name, component] of [
      ["backing-image-data-source", "backing-image-data-source"],
      ["backing-image-manager", "backing-image-manager"],
      ["instance-manager", "instance-manager"],
    ] as const) {
      out.push(
        policy(name, {
          podSelector: { matchLabels: { "longhorn.io/component": component } },
          policyTypes: ["Ingress"],
          ingress: [{ from: LONGHORN_SOURCES_OF_INSTANCE_MANAGERS }],
        }),
      );
    }
    // manager-network-policy.yaml
    out.push(
      policy("longhorn-manager", {
        podSelector: { matchLabels: { app: "longhorn-manager" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: "longhorn-manager" } } },
              { podSelector: { matchLabels: { app: "longhorn-ui" } } },
              { podSelector: { matchLabels: { app: "longhorn-csi-plugin" } } },
              {
                podSelector: {
                  matchLabels: { "longhorn.io/managed-by": "longhorn-manager" },
                  matchExpressions: [{ key: "recurring-job.longhorn.io", operator: "Exists" }],
                },
              },
              { podSelector: { matchExpressions: [{ key: "longhorn.io/job-task", operator: "Exists" }] } },
              { podSelector: { matchLabels: { app: "longhorn-driver-deployer" } } },
            ],
          },
        ],
      }),
    );
    // recovery-backend-network-policy.yaml
    out.push(
      policy("longhorn-recovery-backend", {
        podSelector: { matchLabels: { "longhorn.io/recovery-backend": "longhorn-recovery-backend" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { "longhorn.io/component": "share-manager" } } }],
            ports: [{ protocol: "TCP", port: 9503 }],
          },
        ],
      }),
    );
    // webhook-network-policy.yaml: `from` only when kubeAPIServerSourceCIDRs is set.
    const webhookRule: Obj = {
      ports: [
        { protocol: "TCP", port: 9501 },
        { protocol: "TCP", port: 9502 },
      ],
    };
    if (np.kubeAPIServerSourceCIDRs.length > 0) {
      webhookRule.from = [
        { podSelector: { matchLabels: { app: "longhorn-manager" } } },
        ...np.kubeAPIServerSourceCIDRs.map((cidr) => ({ ipBlock: { cidr } })),
      ];
    }
    out.push(
      policy("longhorn-webhook", {
        podSelector: { matchLabels: { "longhorn.io/admission-webhook": "longhorn-admission-webhook" } },
        policyTypes: ["Ingress"],
        ingress: [webhookRule],
      }),
    );
  }
  // ui-frontend-network-policy.yaml: `if and .Values.networkPolicies.enabled .Values.ingress.enabled (type != "")`.
  if (np.enabled && values.ingress.enabled && np.type === "k3s") {
    out.push(
      policy("longhorn-ui-frontend", {
        podSelector: { matchLabels: { app: "longhorn-ui" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
              },
            ],
            ports: [
              { port: 8000, protocol: "TCP" },
              { port: 80, protocol: "TCP" },
            ],
          },
        ],
      }),
    );
  }
  return out;
}

/**
 * Labels of the Longhorn pods the tests place (chart templates and longhorn-manager v1.12.1). The
 * manager labels its own pod as the webhook and recovery backend (the chart's Services
 * longhorn-admission-webhook and longhorn-recovery-backend select those labels, services.yaml).
 */
export const LONGHORN_TEST_PODS = {
  manager: {
    app: "longhorn-manager",
    "longhorn.io/admission-webhook": "longhorn-admission-webhook",
    "longhorn.io/recovery-backend": "longhorn-recovery-backend",
  },
  instanceManager: {
    "longhorn.io/component": "instance-manager",
    "longhorn.io/managed-by": "longhorn-manager",
  },
  csiPlugin: { app: "longhorn-csi-plugin" },
  ui: { app: "longhorn-ui" },
  driverDeployer: { app: "longhorn-driver-deployer" },
  csiAttacher: { app: "csi-attacher" },
} as const;

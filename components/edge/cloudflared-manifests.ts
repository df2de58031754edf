/**
 * cloudflared in the cluster, as plain manifests: the token Secret, the Deployment, its
 * PodDisruptionBudget and NetworkPolicies. Pure; the token arrives as a (secret) value.
 */
import { commonLabels, selectorLabels } from "../shared/labels";
import { internetIpv4, internetIpv6 } from "../shared/network";
import {
  httpProbe,
  NONROOT_UID,
  podDefaults,
  restrictedContainerSecurityContext,
  spreadAcrossNodes,
} from "../shared/pod";
import { IMAGES, imageRef } from "../versions";
import { parseServiceUrl, type TunnelRoute } from "./routes";

type Obj = Record<string, unknown>;

/** Names used by the manifests. */
export const CLOUDFLARED = {
  name: "cloudflared",
  tokenSecret: "cloudflared-token",
  metricsPort: 2000,
} as const;

/** Options of the cloudflared manifests. */
export interface CloudflaredOptions {
  readonly namespace: string;
  /** At least 2: cloudflared is scaled for availability, not load. */
  readonly replicas: number;
  readonly routes: readonly TunnelRoute[];
  /** Namespace allowed to scrape :2000/metrics. @default "monitoring" */
  readonly metricsNamespace?: string;
  /**
   * Node ports the tunnel's TCP routes lead to (SSH 22 of each node, the API's 6443): cloudflared
   * runs as pods, so its egress must allow exactly these. @default []
   */
  readonly nodePorts?: readonly { readonly address: string; readonly port: number }[];
  /**
   * Where the catch-all rule sends every other hostname (the router): its namespace and pod port,
   * allowed like a route's service. @default none (the catch-all answers 404 itself)
   */
  readonly fallback?: { readonly namespace: string; readonly port: number };
}

/** Problems with the options (empty when valid). */
export function validateCloudflaredOptions(o: CloudflaredOptions): string[] {
  return o.replicas < 2 ? [`replicas: cloudflared runs at least 2 replicas (got ${o.replicas})`] : [];
}

const labels = commonLabels({ name: CLOUDFLARED.name, component: "tunnel", version: IMAGES.cloudflared.tag });
const selector = selectorLabels({ name: CLOUDFLARED.name });

/** The token Secret; `token` should be a secret value. */
export function renderTokenSecret<T>(namespace: string, token: T): Obj {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: CLOUDFLARED.tokenSecret, namespace, labels },
    type: "Opaque",
    stringData: { token },
  };
}

/** The cloudflared Deployment. */
export function renderDeployment(o: CloudflaredOptions): Obj {
  const problems = validateCloudflaredOptions(o);
  if (problems.length > 0) throw new Error(`cloudflared: ${problems.join("; ")}`);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: CLOUDFLARED.name, namespace: o.namespace, labels },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          ...podDefaults({ uid: NONROOT_UID }),
          topologySpreadConstraints: spreadAcrossNodes(selector),
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: CLOUDFLARED.name,
              image: imageRef(IMAGES.cloudflared),
              imagePullPolicy: "IfNotPresent",
              args: ["tunnel", "--no-autoupdate", "--metrics", `0.0.0.0:${CLOUDFLARED.metricsPort}`, "run"],
              env: [
                {
                  name: "TUNNEL_TOKEN",
                  valueFrom: { secretKeyRef: { name: CLOUDFLARED.tokenSecret, key: "token" } },
                },
              ],
              ports: [{ name: "metrics", containerPort: CLOUDFLARED.metricsPort, protocol: "TCP" }],
              // /ready answers 200 once the replica holds a connection to the edge.
              livenessProbe: httpProbe("/ready", CLOUDFLARED.metricsPort, {
                initialDelaySeconds: 10,
                failureThreshold: 6,
              }),
              readinessProbe: httpProbe("/ready", CLOUDFLARED.metricsPort, {
                periodSeconds: 5,
                failureThreshold: 2,
              }),
              securityContext: restrictedContainerSecurityContext(),
              resources: {
                requests: { cpu: "50m", memory: "64Mi" },
                limits: { cpu: "500m", memory: "256Mi" },
              },
            },
          ],
        },
      },
    },
  };
}

/** Keeps one replica up during node drains. */
export function renderPodDisruptionBudget(namespace: string): Obj {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: CLOUDFLARED.name, namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  };
}

/**
 * NetworkPolicies beside the namespace's default-deny: egress to Cloudflare's edge (7844 TCP/UDP
 * for the tunnel, 443 TCP for the API) but not to private ranges, egress to each routed
 * service's namespace and port, and ingress to the metrics port from monitoring.
 */
export function renderNetworkPolicies(o: CloudflaredOptions): Obj[] {
  const meta = (name: string) => ({ name, namespace: o.namespace, labels });
  const internet = [internetIpv4(), internetIpv6()];
  const policies: Obj[] = [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("cloudflared-egress-edge"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
          {
            to: internet,
            ports: [
              { protocol: "TCP", port: 7844 },
              { protocol: "UDP", port: 7844 },
              { protocol: "TCP", port: 443 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("cloudflared-metrics"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": o.metricsNamespace ?? "monitoring" },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: CLOUDFLARED.metricsPort }],
          },
        ],
      },
    },
  ];
  const targets = new Map<string, { namespace: string; ports: Set<number> }>();
  for (const route of o.routes) {
    const target = parseServiceUrl(route.service);
    if (!target) continue;
    const entry = targets.get(target.namespace) ?? { namespace: target.namespace, ports: new Set<number>() };
    entry.ports.add(route.targetPort ?? target.port);
    targets.set(target.namespace, entry);
  }
  if (o.fallback) {
    const entry = targets.get(o.fallback.namespace) ?? {
      namespace: o.fallback.namespace,
      ports: new Set<number>(),
    };
    entry.ports.add(o.fallback.port);
    targets.set(o.fallback.namespace, entry);
  }
  const nodes = new Map<string, Set<number>>();
  for (const { address, port } of o.nodePorts ?? [])
    nodes.set(address, (nodes.get(address) ?? new Set()).add(port));
  if (nodes.size > 0) {
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("cloudflared-egress-nodes"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [...nodes]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([address, ports]) => ({
            to: [{ ipBlock: { cidr: `${address}/32` } }],
            ports: [...ports].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port })),
          })),
      },
    });
  }
  if (targets.size > 0) {
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("cloudflared-egress-services"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [...targets.values()]
          .sort((a, b) => a.namespace.localeCompare(b.namespace))
          .map((t) => ({
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": t.namespace } } }],
            ports: [...t.ports].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port })),
          })),
      },
    });
  }
  return policies;
}

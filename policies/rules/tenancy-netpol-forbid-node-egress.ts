import type { StackValidationPolicy } from "@pulumi/policy";
import { mayConnect, type PodEndpoint } from "../../components/tenancy/netpol-eval";
import { type NodeAddress, nodeAddresses } from "../lib/node-addresses";
import { kubernetesObjects } from "../lib/stack";

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/**
 * Destinations no tenant pod may reach besides the nodes: the cloud metadata service (Hetzner
 * Cloud serves instance metadata, user data included, on 169.254.169.254) and IPv6 link-local,
 * where a node's own services answer on-link.
 */
const METADATA: readonly NodeAddress[] = [
  { address: "169.254.169.254", source: "the metadata service" },
  { address: "fe80::1", source: "IPv6 link-local (fe80::/10)" },
];

/** Ports a node serves or that matter on it: SSH, HTTP(S), etcd, the API, the kubelet, VXLAN. */
const NODE_PORTS: readonly [number, "TCP" | "UDP"][] = [
  [22, "TCP"],
  [80, "TCP"],
  [443, "TCP"],
  [2379, "TCP"],
  [2380, "TCP"],
  [6443, "TCP"],
  [10250, "TCP"],
  [8472, "UDP"],
];

/**
 * A namespace tenant apps run in: a tenant's (`enclii.dev/tenant`) that switchyard deploys into
 * (`enclii.dev/type: application`, components/tenancy/tenant-manifests.ts SWITCHYARD_NAMESPACE_LABELS).
 * A tenant's dedicated Janua namespace is the platform's: its CloudNativePG instances must reach
 * the API server, which is the node's address on 6443 (components/auth/dedicated-janua.ts).
 */
function isTenantAppNamespace(labels: Record<string, unknown>): boolean {
  return typeof labels["enclii.dev/tenant"] === "string" && labels["enclii.dev/type"] === "application";
}

/** Labels of a pod that `selector` selects (matchLabels, and `Exists`/`In` expressions satisfied). */
function labelsSelectedBy(selector: Obj | undefined): Obj {
  const labels: Obj = { ...(selector?.matchLabels ?? {}) };
  for (const e of (selector?.matchExpressions ?? []) as Obj[]) {
    if (e.operator === "Exists") labels[e.key] = "x";
    if (e.operator === "In" && e.values?.length) labels[e.key] = e.values[0];
  }
  return labels;
}

/** The ports a namespace's egress rules name, so an allow for one port is probed on that port. */
function namedPorts(policies: readonly Obj[]): [number, "TCP" | "UDP"][] {
  return policies.flatMap((p) =>
    ((p.spec?.egress ?? []) as Obj[]).flatMap((rule) =>
      ((rule.ports ?? []) as Obj[]).flatMap((port) =>
        typeof port.port === "number" ? [[port.port, port.protocol === "UDP" ? "UDP" : "TCP"] as const] : [],
      ),
    ),
  ) as [number, "TCP" | "UDP"][];
}

/**
 * No tenant pod can open a connection to a node address or the metadata range. Evaluated with the
 * program's NetworkPolicy evaluator (components/tenancy/netpol-eval.ts) over every policy of each
 * tenant app namespace (labelled `enclii.dev/tenant` and `enclii.dev/type: application`), for a pod no selector names and for
 * a pod with each policy's `podSelector.matchLabels`, on the node ports and every port an egress
 * rule names. Node addresses come from the stack's resources (policies/lib/node-addresses.ts).
 */
export const tenancyNetpolForbidNodeEgress: StackValidationPolicy = {
  name: "tenancy-netpol-forbid-node-egress",
  description:
    "No tenant pod can reach a node address (node DNS names, hcloud and Robot server addresses) or the metadata range (169.254.169.254, fe80::/10) under the tenant namespace's NetworkPolicies.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Keep the node addresses and the private and link-local ranges in the internet egress rule's except (components/tenancy/tenant-manifests.ts egressExceptions, fed cluster.nodeAddresses); never add an egress rule to a node.",
  validateStack: (args, reportViolation) => {
    const objects = kubernetesObjects(args.resources);
    const targets = [...nodeAddresses(args.resources), ...METADATA];
    const byNamespace = new Map<string, typeof objects>();
    for (const o of objects) {
      if (o.props.kind !== "NetworkPolicy") continue;
      const key = String(o.props.metadata?.namespace);
      byNamespace.set(key, [...(byNamespace.get(key) ?? []), o]);
    }
    for (const ns of objects) {
      const labels = ns.props.metadata?.labels ?? {};
      if (ns.props.kind !== "Namespace" || !isTenantAppNamespace(labels)) continue;
      const namespace = String(ns.props.metadata?.name);
      const own = byNamespace.get(namespace) ?? [];
      const specs = own.map((p) => p.props);
      const unique = <T>(items: T[]) => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
      const podLabels = unique<Obj>([{}, ...specs.map((p) => labelsSelectedBy(p.spec?.podSelector))]);
      const ports = unique([...NODE_PORTS, ...namedPorts(specs)]);
      for (const target of targets) {
        const open = ports.find(([port, protocol]) =>
          podLabels.some((l) => {
            const pod: PodEndpoint = { kind: "pod", namespace, namespaceLabels: labels, labels: l };
            return mayConnect(specs, pod, { kind: "ip", ip: target.address }, port, protocol);
          }),
        );
        if (!open) continue;
        // The egress policy that selects such a pod and allows the connection on its own.
        const to = { kind: "ip" as const, ip: target.address };
        const culprit =
          own.find((p) =>
            podLabels.some((l) => {
              const pod: PodEndpoint = { kind: "pod", namespace, namespaceLabels: labels, labels: l };
              const denyOnly = { ...p.props, spec: { ...p.props.spec, egress: [] } };
              const selects = !mayConnect([denyOnly], pod, to, open[0], open[1]);
              return selects && mayConnect([p.props], pod, to, open[0], open[1]);
            }),
          ) ?? ns;
        reportViolation(
          `tenant namespace ${namespace}: a pod can reach ${target.address} (${target.source}) on ${open[1]} ${open[0]}; exclude it from the egress rules`,
          culprit.resource.urn,
        );
      }
    }
  },
};

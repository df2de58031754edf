/**
 * A small evaluator of Kubernetes NetworkPolicy semantics, for the subset the platform renders
 * (pod selectors `{}`/matchLabels, namespace selectors with matchLabels/matchExpressions Exists,
 * ipBlock with except, for IPv4 and IPv6, TCP/UDP ports). Answers "may this source reach that destination" the way
 * a conforming network plugin would: a connection needs an egress allow at the source (when any
 * egress policy selects the source pod) and an ingress allow at the destination (likewise).
 */
import { BlockList, isIP } from "node:net";

type Obj = Record<string, unknown>;

/** A pod: its namespace (with the namespace's labels) and its own labels. */
export interface PodEndpoint {
  readonly kind: "pod";
  readonly namespace: string;
  readonly namespaceLabels: Record<string, string>;
  readonly labels?: Record<string, string>;
}

/** An address outside the cluster's pod network (internet host, node). */
export interface IpEndpoint {
  readonly kind: "ip";
  readonly ip: string;
}

/** Either end of a connection. */
export type Endpoint = PodEndpoint | IpEndpoint;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
    if (e.operator === "In" && !(has && e.values?.includes(labels[e.key] as string))) return false;
    if (e.operator === "NotIn" && has && e.values?.includes(labels[e.key] as string)) return false;
  }
  return true;
}

/** Whether `ip` (IPv4 or IPv6) lies in `cidr`; addresses of the other family never do. */
function inCidr(ip: string, cidr: string): boolean {
  const [network = "", prefix] = cidr.split("/");
  const family = isIP(network);
  if (family === 0 || isIP(ip) !== family) return false;
  const list = new BlockList();
  const type = family === 4 ? "ipv4" : "ipv6";
  list.addSubnet(network, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), type);
  return list.check(ip, type);
}

function peerMatches(peer: Obj, other: Endpoint, policyNamespace: string): boolean {
  const ipBlock = peer.ipBlock as { cidr: string; except?: string[] } | undefined;
  if (ipBlock) {
    // ipBlock selects addresses outside the pod network; pods are matched by selectors.
    if (other.kind !== "ip") return false;
    return inCidr(other.ip, ipBlock.cidr) && !(ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if (other.kind !== "pod") return false;
  const nsSel = peer.namespaceSelector as LabelSelector | undefined;
  const podSel = peer.podSelector as LabelSelector | undefined;
  // A peer without a namespaceSelector means pods of the policy's own namespace.
  const namespaceOk = nsSel ? matches(nsSel, other.namespaceLabels) : other.namespace === policyNamespace;
  return namespaceOk && matches(podSel, other.labels ?? {});
}

function portMatches(ports: Obj[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port));
}

function selecting(policies: readonly Obj[], pod: PodEndpoint, type: "Ingress" | "Egress"): Obj[] {
  return policies.filter((p) => {
    const meta = p.metadata as { namespace?: string };
    const spec = p.spec as { podSelector?: LabelSelector; policyTypes?: string[] };
    return (
      meta.namespace === pod.namespace &&
      (spec.policyTypes ?? []).includes(type) &&
      matches(spec.podSelector, pod.labels ?? {})
    );
  });
}

function allowedBy(
  rules: { rule: Obj; namespace: string }[],
  field: "to" | "from",
  other: Endpoint,
  port: number,
  protocol: string,
): boolean {
  return rules.some(({ rule, namespace }) => {
    const peers = rule[field] as Obj[] | undefined;
    const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, other, namespace));
    return peerOk && portMatches(rule.ports as Obj[] | undefined, port, protocol);
  });
}

/** Whether `from` may open a connection to `to` on `port`. */
export function mayConnect(
  policies: readonly Obj[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: "TCP" | "UDP" = "TCP",
): boolean {
  if (from.kind === "pod") {
    const egress = selecting(policies, from, "Egress");
    if (egress.length > 0) {
      const rules = egress.flatMap((p) =>
        ((p.spec as { egress?: Obj[] }).egress ?? []).map((rule) => ({ rule, namespace: from.namespace })),
      );
      if (!allowedBy(rules, "to", to, port, protocol)) return false;
    }
  }
  if (to.kind === "pod") {
    const ingress = selecting(policies, to, "Ingress");
    if (ingress.length > 0) {
      const rules = ingress.flatMap((p) =>
        ((p.spec as { ingress?: Obj[] }).ingress ?? []).map((rule) => ({ rule, namespace: to.namespace })),
      );
      if (!allowedBy(rules, "from", from, port, protocol)) return false;
    }
  }
  return true;
}

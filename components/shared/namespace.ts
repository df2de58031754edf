/**
 * Namespace rendering: PodSecurity admission labels and the baseline network policies every
 * namespace starts with. Pure functions returning plain manifests.
 */
import type * as k8s from "@pulumi/kubernetes";
import { commonLabels } from "./labels";

/** Pod Security Standard level enforced by the namespace. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Arguments of {@link renderNamespace}. */
export interface NamespaceSpec {
  /** Namespace name. */
  readonly name: string;
  /**
   * Enforced PodSecurity level. Audit is always `restricted` (exempt pods show up in the audit
   * log); warn follows the enforced level so installs into exempt namespaces are not noisy.
   */
  readonly podSecurity: PodSecurityLevel;
  /** Why a level other than `restricted` is needed; required for those levels. */
  readonly exemptionReason?: string;
  /** Extra labels (tenant, tier). */
  readonly labels?: Record<string, string>;
  /** What the namespace holds, written into an annotation. */
  readonly description?: string;
  /** Extra annotations (the hostnames its routes may claim). @default none */
  readonly annotations?: Record<string, string>;
}

/** Problems with a namespace spec (empty when valid). */
export function validateNamespaceSpec(spec: NamespaceSpec): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(spec.name)) {
    problems.push(`name: must be a DNS-1123 label (got ${JSON.stringify(spec.name)})`);
  }
  if (spec.name === "default") problems.push("name: nothing is deployed into the default namespace");
  if (spec.podSecurity !== "restricted" && !spec.exemptionReason) {
    problems.push(
      `exemptionReason: required when podSecurity is ${spec.podSecurity} (namespace ${spec.name})`,
    );
  }
  return problems;
}

/** The Namespace object with PodSecurity admission labels. */
export function renderNamespace(spec: NamespaceSpec): k8s.types.input.core.v1.Namespace {
  const annotations: Record<string, string> = { ...spec.annotations };
  if (spec.description) annotations["enclii.dev/description"] = spec.description;
  if (spec.exemptionReason) annotations["enclii.dev/pod-security-exemption"] = spec.exemptionReason;
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: spec.name,
      labels: {
        ...commonLabels({ name: spec.name, component: "namespace" }),
        ...spec.labels,
        "pod-security.kubernetes.io/enforce": spec.podSecurity,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": spec.podSecurity,
        "pod-security.kubernetes.io/warn-version": "latest",
      },
      annotations,
    },
  };
}

/** Denies all ingress and egress for every pod of the namespace; allows are added beside it. */
export function renderDefaultDeny(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "default-deny",
      namespace,
      labels: commonLabels({ name: "default-deny", component: "network-policy" }),
    },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** Lets the pods of a namespace talk to each other (in and out), beside its default deny. */
export function renderAllowSameNamespace(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "allow-same-namespace",
      namespace,
      labels: commonLabels({ name: "allow-same-namespace", component: "network-policy" }),
    },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    },
  };
}

/** Allows every pod of the namespace to resolve names through the cluster DNS (kube-dns in kube-system). */
export function renderAllowDns(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "allow-dns",
      namespace,
      labels: commonLabels({ name: "allow-dns", component: "network-policy" }),
    },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    },
  };
}

/**
 * A NetworkPolicy peer for the namespaces named, by `kubernetes.io/metadata.name`: the API server
 * sets that label to the namespace's name and nobody can change it, unlike any other label a
 * namespace creator chooses.
 */
export function byNames(names: readonly string[]): Record<string, unknown> {
  return {
    namespaceSelector: {
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...names] }],
    },
  };
}

/** Where the Kubernetes API answers a pod, as a NetworkPolicy sees the connection. */
export const API_SERVER_PORTS = {
  /** The `kubernetes` Service port (in the Service CIDR), before kube-proxy's DNAT. */
  service: 443,
  /**
   * The API server on the node address after the DNAT: k3s runs it in the host network namespace
   * and advertises `advertise-address` (the node IP) on 6443 as the Service's endpoint.
   */
  node: 6443,
} as const;

/**
 * Lets the selected pods (every pod by default) reach the API server: the `kubernetes` Service
 * address on 443 and, after DNAT, the node address on 6443. Which side of the DNAT a network plugin
 * filters on differs (kube-router filters after it), so both are allowed. 6443 is allowed to any
 * address: the node addresses are deploy-time Outputs the pure renderers do not take (the same
 * rule the data and monitoring namespaces always had), so a host on the internet listening on 6443
 * is reachable from these pods too; 443 is limited to the Service CIDR.
 */
export function renderAllowApiServer(
  namespace: string,
  serviceCidr: string,
  options: { readonly name?: string; readonly podSelector?: Record<string, unknown> } = {},
): k8s.types.input.networking.v1.NetworkPolicy {
  const name = options.name ?? "allow-api-server";
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec: {
      podSelector: options.podSelector ?? {},
      policyTypes: ["Egress"],
      egress: [
        { ports: [{ protocol: "TCP", port: API_SERVER_PORTS.node }] },
        {
          to: [{ ipBlock: { cidr: serviceCidr } }],
          ports: [{ protocol: "TCP", port: API_SERVER_PORTS.service }],
        },
      ],
    },
  };
}

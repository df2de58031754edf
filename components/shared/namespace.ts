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
  const annotations: Record<string, string> = {};
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

/**
 * Cloudflare API tokens and who consumes them, for the token policies. A token is consumed by a
 * workload when its value lands where something running reads it: a Kubernetes object (a Secret a
 * pod mounts or reads as env, e.g. components/control-plane/enclii.ts `ENCLII_CLOUDFLARE_API_TOKEN`,
 * components/storage/longhorn.ts backup credentials) or a command run on a node (the k3s etcd
 * snapshot credentials, components/k3s/cluster.ts). The engine records that as a dependency of
 * the consumer on the token (the value is an Output of the token), which AnalyzeStack hands to
 * stack policies as `dependencies`. A token only Pulumi itself uses has no such consumer.
 */
import type { PolicyResource } from "@pulumi/policy";

export const API_TOKEN = "cloudflare:index/apiToken:ApiToken";

/** The workloads (Kubernetes objects, node commands) that consume each token, by token URN. */
export function tokenConsumers(resources: readonly PolicyResource[]): Map<string, PolicyResource[]> {
  const out = new Map<string, PolicyResource[]>();
  for (const r of resources) {
    if (!r.type.startsWith("kubernetes:") && r.type !== "command:remote:Command") continue;
    for (const d of r.dependencies ?? []) {
      if (d?.type !== API_TOKEN) continue;
      out.set(d.urn, [...(out.get(d.urn) ?? []), r]);
    }
  }
  return out;
}

/** How a consumer is named in messages. */
export function consumerName(r: PolicyResource): string {
  const meta = r.props?.metadata;
  return meta?.name
    ? `${r.props.kind ?? r.type} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`
    : `${r.type} ${r.name}`;
}

/** The resource keys of one token policy (a JSON string since provider 6.12, or an object). */
export function policyResourceKeys(policy: { resources?: unknown }): string[] {
  try {
    const parsed = typeof policy.resources === "string" ? JSON.parse(policy.resources) : policy.resources;
    return parsed && typeof parsed === "object" ? Object.keys(parsed) : [];
  } catch {
    return [];
  }
}

/** Whether a resource key is a whole account (`com.cloudflare.api.account.<id>`, not a zone of it). */
export const isAccountKey = (key: string) => /^com\.cloudflare\.api\.account\.[^.]+$/.test(key);

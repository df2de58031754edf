/**
 * Helpers for policies on Kubernetes objects: find the pod template of any workload and its
 * containers, and the namespace exemptions (with their reasons).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/** Workload kinds and where their pod spec lives. */
export function podSpecOf(props: Obj): Obj | undefined {
  switch (props?.kind) {
    case "Pod":
      return props.spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return props.spec?.template?.spec;
    case "CronJob":
      return props.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

/** Every container of a pod spec, init containers included. */
export function containersOf(pod: Obj): Obj[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** True for a Kubernetes object resource (not a provider, a chart or a YAML file). */
export function isKubernetesObject(type: string, props: Obj): boolean {
  return (
    type.startsWith("kubernetes:") &&
    !type.startsWith("kubernetes:helm") &&
    !type.startsWith("kubernetes:yaml") &&
    typeof props?.kind === "string"
  );
}

/** Namespace of an object ("default" when unset, as the API server would place it). */
export function namespaceOf(props: Obj): string {
  return props?.metadata?.namespace ?? "default";
}

/**
 * Namespaces exempt from specific pod checks, each with its reason. Only the platform's system
 * namespaces that cannot run otherwise are listed; tenant and application namespaces never are.
 */
export const EXEMPTIONS: Record<string, Record<string, string>> = {
  "cert-manager": {
    "default-deny": "cert-manager reaches the API server on the node address; its chart owns its policies",
  },
  "cnpg-system": {
    "default-deny":
      "the CNPG operator reaches the API server and every Postgres pod; its chart owns its policies",
  },
  "longhorn-system": {
    "default-deny": "Longhorn uses the host network for iSCSI; pod policies cannot describe that traffic",
    privileged: "Longhorn's instance managers and CSI plugin attach iSCSI block devices",
    "host-namespaces": "Longhorn's CSI plugin uses the host network for iSCSI",
    "host-path": "Longhorn stores replicas under /var/lib/longhorn and needs /dev",
    "run-as-non-root": "Longhorn's manager runs as root to manage block devices",
    "read-only-root": "Longhorn's components write to their root filesystems",
    capabilities: "Longhorn's components need SYS_ADMIN for mounts",
    resources:
      "the chart renders longhorn-driver-deployer and longhorn-ui with no resources and no value to set them (longhorn v1.12.1 chart/templates/deployment-driver.yaml, deployment-ui.yaml); the manager's come from longhornManager.resources, which helm-chart-require-workload-resources requires",
  },
  "system-upgrade": {
    "default-deny": "upgrade jobs run on the host network",
    privileged: "upgrade jobs replace the k3s binary on the host",
    "host-namespaces": "upgrade jobs enter the host's PID namespace to restart k3s",
    "host-path": "upgrade jobs mount the host root",
    "run-as-non-root": "upgrade jobs run as root on the host",
    capabilities: "upgrade jobs need full capabilities on the host",
  },
  // node-exporter alone, in a namespace of its own (components/observability/monitoring-values.ts
  // namespaceOverride), so nothing else of monitoring's is exempt.
  "monitoring-node": {
    "host-namespaces": "node-exporter reads host metrics through the host network and PID namespace",
    "host-path": "node-exporter mounts /proc, /sys and / read-only",
  },
  "kube-system": {
    privileged: "k3s's own add-ons (klipper, coredns) are managed by k3s",
    "host-namespaces": "k3s's own add-ons are managed by k3s",
    "host-path": "k3s's own add-ons are managed by k3s",
  },
};

/** Policy config of the checks that have exemptions: `exemptions` replaces the defaults above. */
export interface ExemptionConfig {
  readonly exemptions?: Record<string, Record<string, string>>;
}

/** The `configSchema` of policies with exemptions (defaults: {@link EXEMPTIONS}). */
export const EXEMPTION_SCHEMA = {
  properties: {
    exemptions: {
      type: "object" as const,
      description: "namespace -> check -> reason; every exemption states why",
      default: EXEMPTIONS,
    },
  },
};

/** Whether `namespace` is exempt from the check `check` (with the reason), per the policy config. */
export function exemption(
  namespace: string,
  check: string,
  config: ExemptionConfig = {},
): string | undefined {
  return (config.exemptions ?? EXEMPTIONS)[namespace]?.[check];
}

/** What a pod check sees: the pod spec and how to name the object in a message. */
export interface PodTarget {
  readonly pod: Obj;
  /** `Kind namespace/name`. */
  readonly where: string;
}

/**
 * A policy on every pod template (Deployments, StatefulSets, Jobs, ...) outside the namespaces
 * exempt from `check` by the policy config; `validate` reports the problems of one pod.
 */
export function podPolicy(
  policy: Omit<ResourceValidationPolicy, "validateResource" | "configSchema">,
  check: string,
  validate: (target: PodTarget, report: (message: string) => void) => void,
): ResourceValidationPolicy {
  return {
    ...policy,
    configSchema: EXEMPTION_SCHEMA,
    validateResource: (args, reportViolation) => {
      if (!isKubernetesObject(args.type, args.props)) return;
      const pod = podSpecOf(args.props);
      if (!pod) return;
      const namespace = namespaceOf(args.props);
      if (exemption(namespace, check, args.getConfig<ExemptionConfig>())) return;
      validate({ pod, where: `${args.props.kind} ${namespace}/${args.props.metadata?.name}` }, (m) =>
        reportViolation(m),
      );
    },
  };
}

/** The effective securityContext of a container: the pod's, overridden by the container's. */
export function securityContextOf(pod: Obj, container: Obj): Obj {
  return { ...(pod.securityContext ?? {}), ...(container.securityContext ?? {}) };
}

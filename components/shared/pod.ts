/**
 * Pod and container defaults that satisfy the Kubernetes checklist in REFERENCE.md and the
 * `restricted` Pod Security Standard: non-root, read-only root filesystem, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp, no service account token.
 */
import type * as k8s from "@pulumi/kubernetes";

type ContainerSecurityContext = k8s.types.input.core.v1.SecurityContext;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;
type Probe = k8s.types.input.core.v1.Probe;

/** The UID/GID distroless "nonroot" images run as. */
export const NONROOT_UID = 65532;

/** Container security context for the `restricted` profile. */
export function restrictedContainerSecurityContext(): ContainerSecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Pod security context for the `restricted` profile, running as `uid`. */
export function restrictedPodSecurityContext(uid: number = NONROOT_UID): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Pod spec fields every platform workload starts from: no token mounted unless asked for, no
 * service links in the environment, a restricted security context.
 */
export function podDefaults(options: { uid?: number; needsApiAccess?: boolean } = {}) {
  return {
    automountServiceAccountToken: options.needsApiAccess ?? false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(options.uid),
  };
}

/**
 * Spreads replicas over nodes. `ScheduleAnyway` keeps a single-node cluster schedulable while a
 * multi-node cluster gets one replica per node where it can.
 */
export function spreadAcrossNodes(selector: Record<string, string>): TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selector },
    },
  ];
}

/** An HTTP GET probe with the platform's timing defaults. */
export function httpProbe(path: string, port: number | string, overrides: Partial<Probe> = {}): Probe {
  return {
    httpGet: { path, port },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
    ...overrides,
  };
}

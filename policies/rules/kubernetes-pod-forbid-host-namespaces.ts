import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  EXEMPTION_SCHEMA,
  type ExemptionConfig,
  exemption,
  isKubernetesObject,
  namespaceOf,
  podSpecOf,
} from "../lib/k8s";
/** Pods do not share the host's network, PID or IPC namespace. */
export const kubernetesPodForbidHostNamespaces: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-host-namespaces",
  description: "Pods do not share the host's network, PID or IPC namespace.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Remove hostNetwork, hostPID and hostIPC.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "host-namespaces", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (pod[field] === true)
        reportViolation(`${where}: ${field} is true; pods must not share host namespaces`);
    }
  },
};

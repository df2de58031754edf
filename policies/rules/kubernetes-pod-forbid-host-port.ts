import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  containersOf,
  EXEMPTION_SCHEMA,
  type ExemptionConfig,
  exemption,
  isKubernetesObject,
  namespaceOf,
  podSpecOf,
} from "../lib/k8s";
/** Containers do not bind host ports. */
export const kubernetesPodForbidHostPort: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-host-port",
  description: "Containers do not bind host ports.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Remove ports[].hostPort; traffic enters through the tunnel and Services.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "host-namespaces", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      for (const p of c.ports ?? []) {
        if (p.hostPort)
          reportViolation(`${where}: container ${c.name} binds host port ${p.hostPort}; remove hostPort`);
      }
    }
  },
};

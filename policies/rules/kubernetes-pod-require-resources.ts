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
/** Every container sets CPU and memory requests and limits. */
export const kubernetesPodRequireResources: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-resources",
  description: "Every container sets CPU and memory requests and limits.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Set resources.requests and resources.limits (cpu and memory) on the container.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "resources", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const r = c.resources ?? {};
      const missing = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].filter((p) => {
        const [group, key] = p.split(".") as [string, string];
        return r[group]?.[key] === undefined;
      });
      if (missing.length > 0)
        reportViolation(`${where}: container ${c.name} has no ${missing.join(", ")}; set them`);
    }
  },
};

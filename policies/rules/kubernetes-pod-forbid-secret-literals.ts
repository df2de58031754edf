import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
/** No secret appears as a literal env value: secrets come through secretKeyRef. */
export const kubernetesPodForbidSecretLiterals: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-secret-literals",
  description: "No secret appears as a literal env value: secrets come through secretKeyRef.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Put the value in a Secret and reference it with valueFrom.secretKeyRef.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    const secretNamed =
      /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ENCRYPTION_KEY|DATABASE_URL|DB_URL|REDIS_URL)$/i;
    for (const c of containersOf(pod)) {
      for (const e of c.env ?? []) {
        if (secretNamed.test(e.name) && e.value !== undefined) {
          reportViolation(
            `${where}: container ${c.name} sets ${e.name} as a literal; use valueFrom.secretKeyRef`,
          );
        }
      }
    }
  },
};

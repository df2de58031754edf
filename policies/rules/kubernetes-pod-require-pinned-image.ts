import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
/** Every container image is pinned to a release tag or a digest, never latest or main. */
export const kubernetesPodRequirePinnedImage: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-pinned-image",
  description: "Every container image is pinned to a release tag or a digest, never latest or main.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pin the image in components/versions.ts (tag or sha256 digest).",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const image = String(c.image ?? "");
      const tag = image.includes("@") ? "digest" : (image.split("/").pop() ?? "").split(":")[1];
      if (!tag || ["latest", "main", "master", "edge", "nightly"].includes(tag)) {
        reportViolation(
          `${where}: container ${c.name} uses image "${image}" without a pinned tag; pin it in components/versions.ts`,
        );
      }
    }
  },
};

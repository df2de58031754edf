import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
import { isProductionUrn, PRODUCTION_STACKS_SCHEMA } from "../lib/stack-name";

/** `repo[:tag]@sha256:<64 hex>`: the only reference a registry cannot move under us. */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/**
 * In production every container image names a digest. A tag is a pointer the registry owner can
 * move (or a compromised account can overwrite); a digest is the content itself, so what was
 * reviewed is what runs, and a node that pulls again gets the same bytes. Advisory: several
 * upstream images are pinned by tag only in components/versions.ts.
 */
export const kubernetesPodRequireImageDigest: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-image-digest",
  description:
    "In production stacks (pack config productionStacks, matched on the URN's stack) every container image is pinned by sha256 digest.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Add the image's digest to its pin in components/versions.ts (`digest: sha256:...`; imageRef renders repo:tag@digest).",
  configSchema: PRODUCTION_STACKS_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    if (!isProductionUrn(args.urn, args.getConfig<{ productionStacks?: string[] }>())) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const image = String(c.image ?? "");
      if (!DIGEST.test(image)) {
        reportViolation(
          `${where}: container ${c.name} uses image "${image}" without a sha256 digest; pin the digest in components/versions.ts`,
        );
      }
    }
  },
};

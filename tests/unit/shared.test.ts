import { describe, expect, it } from "vitest";
import {
  commonLabels,
  resourceName,
  sanitizeLabelValue,
  selectorLabels,
} from "../../components/shared/labels";
import {
  renderAllowDns,
  renderDefaultDeny,
  renderNamespace,
  validateNamespaceSpec,
} from "../../components/shared/namespace";
import {
  podDefaults,
  restrictedContainerSecurityContext,
  spreadAcrossNodes,
} from "../../components/shared/pod";
import { IMAGES, imageRef } from "../../components/versions";

describe("labels and names", () => {
  it("gives every object the recommended labels, selectors a stable subset", () => {
    const labels = commonLabels({
      name: "janua",
      component: "auth",
      version: "1.2.3+build",
      environment: "staging",
    });
    expect(labels).toMatchObject({
      "app.kubernetes.io/name": "janua",
      "app.kubernetes.io/instance": "janua",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/part-of": "enclii",
      "app.kubernetes.io/version": "1.2.3_build",
      "enclii.dev/environment": "staging",
    });
    expect(selectorLabels({ name: "janua" })).toEqual({
      "app.kubernetes.io/name": "janua",
      "app.kubernetes.io/instance": "janua",
    });
  });

  it("keeps label values within 63 valid characters", () => {
    const value = sanitizeLabelValue(`-${"x".repeat(80)}-`);
    expect(value).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,61}[A-Za-z0-9]$/);
  });

  it("shortens long names with a hash so two long names never collide", () => {
    const a = resourceName("tenant", "a".repeat(60), "janua");
    const b = resourceName("tenant", "a".repeat(60), "redis");
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(resourceName("Tenant", "ACME", "db")).toBe("tenant-acme-db");
  });
});

describe("pod defaults", () => {
  it("renders the restricted container security context of the checklist", () => {
    expect(restrictedContainerSecurityContext()).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("mounts no service account token unless the workload needs the API", () => {
    expect(podDefaults().automountServiceAccountToken).toBe(false);
    expect(podDefaults({ needsApiAccess: true }).automountServiceAccountToken).toBe(true);
    expect(podDefaults({ uid: 1000 }).securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
  });

  it("spreads replicas across nodes without blocking a single-node cluster", () => {
    expect(spreadAcrossNodes({ app: "x" })).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "x" } },
      },
    ]);
  });
});

describe("namespaces", () => {
  it("labels a namespace with its enforced PodSecurity level and audits at restricted", () => {
    const ns = renderNamespace({
      name: "longhorn-system",
      podSecurity: "privileged",
      exemptionReason: "iSCSI",
    });
    const labels = (ns.metadata as { labels: Record<string, string> }).labels;
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
    expect((ns.metadata as { annotations: Record<string, string> }).annotations).toEqual({
      "enclii.dev/pod-security-exemption": "iSCSI",
    });
  });

  it("fails when a namespace is exempt from restricted without a reason", () => {
    expect(validateNamespaceSpec({ name: "x", podSecurity: "baseline" })).toEqual([
      "exemptionReason: required when podSecurity is baseline (namespace x)",
    ]);
  });

  it("fails when something would be created in the default namespace or with an invalid name", () => {
    expect(validateNamespaceSpec({ name: "default", podSecurity: "restricted" })).toHaveLength(1);
    expect(validateNamespaceSpec({ name: "Bad_Name", podSecurity: "restricted" })[0]).toMatch(/^name:/);
  });

  it("denies all traffic by default and allows only DNS to kube-dns", () => {
    expect(renderDefaultDeny("janua").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const dns = renderAllowDns("janua").spec as { egress: { ports: unknown[] }[]; policyTypes: string[] };
    expect(dns.policyTypes).toEqual(["Egress"]);
    expect(dns.egress[0]?.ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });
});

describe("versions", () => {
  it("pins every image to a release tag, never a moving one", () => {
    for (const pin of Object.values(IMAGES)) {
      expect(pin.tag).not.toMatch(/^(latest|main|master|stable|edge)$/);
      expect(imageRef(pin)).toBe(`${pin.repository}:${pin.tag}`);
    }
    expect(imageRef({ repository: "r", tag: "1", digest: "sha256:ab" })).toBe("r:1@sha256:ab");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { type Recorder, SECRET, settle, startComponentMocks } from "../helpers/mocks";

let recorder: Recorder;
let names: Record<string, string>;

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const k8s = await import("@pulumi/kubernetes");
  const { Namespaces } = await import("../../components/k3s/namespaces");
  const provider = new k8s.Provider("k3s", { kubeconfig: pulumi.secret("apiVersion: v1") });
  const component = new Namespaces("platform", {
    provider,
    environment: "staging",
    monitoring: false,
    managedUpgrades: true,
  });
  names = await new Promise((resolve) => pulumi.all(component.names).apply((v) => resolve(v)));
  await settle();
});

describe("enclii:k3s:Namespaces", () => {
  it("creates one Namespace per platform namespace, parented under the component", () => {
    const component = recorder.get("enclii:k3s:Namespaces", "platform");
    const namespaces = recorder.ofType("kubernetes:core/v1:Namespace");
    expect(namespaces.map((n) => (n.inputs.metadata as { name: string }).name).sort()).toEqual([
      "cert-manager",
      "cloudflare-tunnel",
      "cnpg-system",
      "data",
      "enclii",
      "janua",
      "longhorn-system",
      "router",
      "system-upgrade",
    ]);
    for (const ns of namespaces) expect(ns.parent).toBe(component.urn);
    expect(Object.keys(names)).toHaveLength(9);
  });

  it("leaves out the monitoring namespace when monitoring is disabled", () => {
    expect(
      recorder.ofType("kubernetes:core/v1:Namespace").some((n) => n.name === "platform-monitoring"),
    ).toBe(false);
  });

  it("uses the cluster provider for every namespace and keeps its kubeconfig secret", () => {
    const provider = recorder.get("pulumi:providers:kubernetes", "k3s");
    expect(provider.inputs.kubeconfig).toBe(SECRET);
    for (const ns of recorder.ofType("kubernetes:core/v1:Namespace")) expect(ns.provider).toBe(provider.urn);
  });

  it("creates the default-deny and allow-dns policies after their namespace exists", () => {
    const ns = recorder.get("kubernetes:core/v1:Namespace", "platform-janua");
    for (const policy of ["default-deny", "allow-dns"]) {
      const np = recorder.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `platform-janua-${policy}`);
      expect(np.dependencies).toContain(ns.urn);
      expect(np.inputs.metadata).toMatchObject({ name: policy, namespace: "janua" });
    }
  });

  it("gives every namespace, chart-installed ones included, a default deny and the DNS allow", () => {
    const policies = recorder.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    for (const ns of recorder.ofType("kubernetes:core/v1:Namespace")) {
      const name = (ns.inputs.metadata as { name: string }).name;
      const own = policies.filter((p) => (p.inputs.metadata as { namespace: string }).namespace === name);
      expect(own.map((p) => (p.inputs.metadata as { name: string }).name).sort(), name).toEqual([
        "allow-dns",
        "default-deny",
      ]);
    }
    expect(policies).toHaveLength(2 * 9);
  });

  it("enforces privileged only where an exemption reason is recorded", () => {
    for (const ns of recorder.ofType("kubernetes:core/v1:Namespace")) {
      const meta = ns.inputs.metadata as {
        labels: Record<string, string>;
        annotations?: Record<string, string>;
      };
      const level = meta.labels["pod-security.kubernetes.io/enforce"];
      if (level === "restricted") continue;
      expect(meta.annotations?.["enclii.dev/pod-security-exemption"], ns.name).toBeTruthy();
    }
  });
});

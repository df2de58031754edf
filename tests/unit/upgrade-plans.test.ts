import { describe, expect, it } from "vitest";

// Rendered manifests are plain JSON-like objects; tests read nested fields freely.
// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

import {
  renderControllerRbac,
  renderControllerWorkload,
  renderUpgradePlans,
} from "../../components/k3s/upgrade-plans";
import { loadCrdSchemas, validateObject } from "../helpers/k8s-validate";

describe("k3s upgrade Plans", () => {
  const [server, agent] = renderUpgradePlans({ version: "v1.35.1+k3s1", concurrency: 2 }) as Manifest[];

  it("upgrades servers one at a time, cordoned, to the configured version", () => {
    expect(server?.spec).toMatchObject({ concurrency: 1, cordon: true, version: "v1.35.1+k3s1" });
    expect(server?.spec.nodeSelector.matchExpressions[0]).toEqual({
      key: "node-role.kubernetes.io/control-plane",
      operator: "In",
      values: ["true"],
    });
  });

  it("upgrades agents only after the servers, with the configured concurrency", () => {
    expect(agent?.spec).toMatchObject({ concurrency: 2, prepare: { args: ["prepare", "k3s-server"] } });
    expect(agent?.spec.nodeSelector.matchExpressions[0].operator).toBe("DoesNotExist");
  });

  it("validates against the upstream Plan CRD", (ctx) => {
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    expect(validateObject(server as Record<string, unknown>, schemas)).toEqual([]);
    expect(validateObject(agent as Record<string, unknown>, schemas)).toEqual([]);
  });
});

describe("system-upgrade-controller", () => {
  it("binds no cluster-admin role", () => {
    for (const o of renderControllerRbac() as Manifest[]) {
      if (o.roleRef) expect(o.roleRef.name).not.toBe("cluster-admin");
    }
  });

  it("runs the controller restricted with requests and limits and no hostPath", () => {
    const deployment = (renderControllerWorkload() as Manifest[]).find((o) => o.kind === "Deployment");
    const pod = deployment?.spec.template.spec;
    expect(pod.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.containers[0].resources.limits).toBeDefined();
    expect(pod.volumes.every((v: Record<string, unknown>) => !("hostPath" in v))).toBe(true);
  });
});

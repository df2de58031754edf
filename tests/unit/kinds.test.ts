import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { apiVersionOf, gvkFromType } from "../helpers/gvk";
import { type Recorder, settle, startComponentMocks } from "../helpers/mocks";

// The factory's rule comes from the provider: pulumi-kubernetes provider/pkg/provider/provider.go
// gvkFromURN (lines 2710-2733 at 94977969) reads the GVK from the type token's module, which must be
// `group/version` (`core/v1` for the core group); CustomResource's token is
// `kubernetes:${apiVersion}:${kind}` (sdk/nodejs/apiextensions/customResource.ts line 97).

let recorder: Recorder;
let kinds: typeof import("../../components/shared/kinds");
let objects: typeof import("../../components/shared/objects");
let k8s: typeof import("@pulumi/kubernetes");

beforeAll(async () => {
  recorder = await startComponentMocks();
  k8s = await import("@pulumi/kubernetes");
  kinds = await import("../../components/shared/kinds");
  objects = await import("../../components/shared/objects");
});

const obj = (apiVersion: string, kind: string, name: string, namespace?: string) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe("createObject (typed class by apiVersion/kind)", () => {
  it("creates a core Namespace with its typed class: kubernetes:core/v1:Namespace", async () => {
    const r = kinds.createObject("t-namespace-acme", obj("v1", "Namespace", "acme"), {});
    await settle();
    expect(r).toBeInstanceOf(k8s.core.v1.Namespace);
    expect(recorder.get("kubernetes:core/v1:Namespace", "t-namespace-acme").inputs).toMatchObject({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "acme" },
    });
  });

  it("creates a Deployment with its typed class: kubernetes:apps/v1:Deployment", async () => {
    const deployment = { ...obj("apps/v1", "Deployment", "api", "acme"), spec: { replicas: 2 } };
    const r = kinds.createObject("t-deployment-api", deployment, {});
    await settle();
    expect(r).toBeInstanceOf(k8s.apps.v1.Deployment);
    expect(recorder.get("kubernetes:apps/v1:Deployment", "t-deployment-api").inputs).toMatchObject({
      spec: { replicas: 2 },
    });
  });

  it("keeps a CNPG Cluster a CustomResource: kubernetes:postgresql.cnpg.io/v1:Cluster", async () => {
    const cluster = { ...obj("postgresql.cnpg.io/v1", "Cluster", "pg", "data"), spec: { instances: 1 } };
    const r = kinds.createObject("t-cluster-pg", cluster, {});
    await settle();
    expect(r).toBeInstanceOf(k8s.apiextensions.CustomResource);
    expect(recorder.get("kubernetes:postgresql.cnpg.io/v1:Cluster", "t-cluster-pg").inputs).toMatchObject({
      spec: { instances: 1 },
    });
  });

  it("keeps a Gateway API HTTPRoute (a CRD in a k8s.io group) a CustomResource", async () => {
    const r = kinds.createObject(
      "t-httproute-web",
      obj("gateway.networking.k8s.io/v1", "HTTPRoute", "web", "acme"),
      {},
    );
    await settle();
    expect(r).toBeInstanceOf(k8s.apiextensions.CustomResource);
    expect(recorder.ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")).toHaveLength(1);
  });

  it("gives every kind of its table a token gvkFromURN parses back to that apiVersion and kind", async () => {
    const table = kinds.typedKinds();
    for (const group of ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1"]) {
      expect(table.some((k) => k.apiVersion === group)).toBe(true);
    }
    for (const group of [
      "rbac.authorization.k8s.io/v1",
      "autoscaling/v2",
      "admissionregistration.k8s.io/v1",
    ]) {
      expect(table.some((k) => k.apiVersion === group)).toBe(true);
    }
    for (const group of ["apiextensions.k8s.io/v1", "storage.k8s.io/v1", "scheduling.k8s.io/v1"]) {
      expect(table.some((k) => k.apiVersion === group)).toBe(true);
    }
    // The typed classes check their required properties; each class keeps only its own fields.
    const required = {
      spec: {},
      data: {},
      roleRef: {},
      provisioner: "x",
      value: 1,
      addressType: "IPv4",
      handler: "x",
    };
    const created: pulumi.CustomResource[] = table.map(({ apiVersion, kind }) =>
      kinds.createObject(`table-${apiVersion}-${kind}`, { ...obj(apiVersion, kind, "x"), ...required }, {}),
    );
    await settle();
    expect(created).toHaveLength(table.length);
    for (const { apiVersion, kind } of table) {
      const recorded = recorder.resources.find((r) => r.name === `table-${apiVersion}-${kind}`);
      expect(recorded, `${apiVersion} ${kind}`).toBeDefined();
      const gvk = gvkFromType(String(recorded?.type));
      expect(gvk, String(recorded?.type)).not.toHaveProperty("error");
      if ("error" in gvk) continue;
      expect({ apiVersion: apiVersionOf(gvk), kind: gvk.kind }).toEqual({ apiVersion, kind });
    }
  });

  it("fails when a built-in kind has no typed class instead of falling back to kubernetes:v1:", () => {
    expect(() => kinds.createObject("t-binding-x", obj("v1", "Binding", "x"), {})).toThrow(
      "t-binding-x: no typed class for built-in kind v1 Binding",
    );
    expect(() =>
      kinds.createObject("t-csr-x", obj("certificates.k8s.io/v1", "CertificateSigningRequest", "x"), {}),
    ).toThrow("no typed class for built-in kind certificates.k8s.io/v1 CertificateSigningRequest");
  });
});

describe("createObjects", () => {
  it("keeps the resource names <prefix>-<kind>-<name> and gives each object its typed token", async () => {
    const rendered = [
      obj("v1", "ServiceAccount", "api", "acme"),
      obj("v1", "ResourceQuota", "quota", "acme"),
      obj("monitoring.coreos.com/v1", "ServiceMonitor", "api", "acme"),
    ];
    objects.createObjects("tenant-acme", rendered, {});
    await settle();
    expect(recorder.get("kubernetes:core/v1:ServiceAccount", "tenant-acme-serviceaccount-api")).toBeDefined();
    expect(recorder.get("kubernetes:core/v1:ResourceQuota", "tenant-acme-resourcequota-quota")).toBeDefined();
    expect(
      recorder.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "tenant-acme-servicemonitor-api"),
    ).toBeDefined();
  });
});

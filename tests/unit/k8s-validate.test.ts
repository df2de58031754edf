import { describe, expect, it } from "vitest";
import {
  type CrdSchemas,
  crdSchemasDir,
  loadCrdSchemas,
  needsCrd,
  validateObject,
} from "../helpers/k8s-validate";

const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "janua" } };
const scheduledBackup = {
  apiVersion: "postgresql.cnpg.io/v1",
  kind: "ScheduledBackup",
  metadata: { name: "daily", namespace: "data" },
  spec: {
    schedule: "0 0 3 * * *",
    cluster: { name: "pg" },
    method: "plugin",
    pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
  },
};

function crds(ctx: { skip(note?: string): void }): CrdSchemas | undefined {
  const { schemas, missing } = loadCrdSchemas();
  if (missing) {
    if (process.env.CI === "true") throw new Error(missing);
    ctx.skip(missing);
  }
  return schemas;
}

describe("Kubernetes schema validation", () => {
  it("accepts a valid built-in object and rejects a wrong field type", () => {
    expect(validateObject(namespace, undefined)).toEqual([]);
    const bad = { ...namespace, metadata: { name: "janua", labels: { a: 1 } } };
    expect(validateObject(bad, undefined).join("\n")).toMatch(/v1 Namespace:.*labels/s);
  });

  it("validates a custom resource against its upstream CRD and catches a bad enum", (ctx) => {
    const schemas = crds(ctx);
    expect(schemas?.size).toBeGreaterThan(5);
    expect(validateObject(scheduledBackup, schemas)).toEqual([]);
    const bad = { ...scheduledBackup, spec: { ...scheduledBackup.spec, method: "tape" } };
    expect(validateObject(bad, schemas).join("\n")).toContain(
      "/spec/method must be equal to one of the allowed values",
    );
  });

  it("fails on a custom resource no CRD defines", (ctx) => {
    const schemas = crds(ctx);
    expect(
      validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, schemas),
    ).toEqual(["no schema for example.com/v1 Widget: not a built-in kind and no CRD defines it"]);
  });

  it("covers cert-manager kinds through their model package", () => {
    expect(needsCrd({ apiVersion: "cert-manager.io/v1", kind: "Certificate" })).toBe(false);
    expect(needsCrd({ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster" })).toBe(true);
    expect(crdSchemasDir()).toMatch(/crds$/);
  });
});

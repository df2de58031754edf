/**
 * The pack served over its Analyzer gRPC interface and fed requests shaped as the engine's
 * (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go at 1b594989: Analyze lines 300-340,
 * AnalyzeStack lines 343-395; properties marshaled with KeepUnknowns and KeepSecrets): secrets
 * as secret objects, unknowns as the sentinel, AnalyzeStack on outputs, a v4 Chart component
 * whose outputs are only `resources`.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretValue, UNKNOWN_VALUE } from "../../scripts/lib/engine-form";
import type { EngineResource } from "../../scripts/lib/engine-resources";
import { type PackResult, runPolicyPack } from "../../scripts/lib/policy-client";
import { ROOT } from "../helpers/plan-cli";

type Obj = Record<string, unknown>;

const urnOf = (type: string, name: string, parentType?: string) =>
  `urn:pulumi:production::enclii-infra::${parentType ? `${parentType}$` : ""}${type}::${name}`;

function resource(
  type: string,
  name: string,
  inputs: Obj,
  outputs: Obj = inputs,
  extra: Partial<EngineResource> = {},
) {
  return {
    urn: urnOf(type, name),
    type,
    name,
    parent: null,
    custom: true,
    dependencies: [],
    protect: false,
    inputs,
    outputs,
    ...extra,
  } satisfies EngineResource;
}

const service = (name: string, type: unknown) =>
  resource("kubernetes:core/v1:Service", name, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "x" },
    spec: { type },
  });

const CHART = "kubernetes:helm.sh/v4:Chart";
const chart = resource(
  CHART,
  "longhorn",
  { chart: "longhorn", version: "1.12.1", namespace: "longhorn-system", values: { defaultBackupStore: {} } },
  // chart.go ChartState: a v4 Chart's outputs are only its children.
  { resources: ["longhorn-system/longhorn-ui"] },
  { custom: false },
);
const bucket = resource("cloudflare:index/r2Bucket:R2Bucket", "b", { accountId: "a", name: "b" });
// Inputs with an enabled rule, outputs (what the provider read back) without: AnalyzeStack must judge the outputs.
const lifecycle = resource(
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  "b-lifecycle",
  { accountId: "a", bucketName: "b", rules: [{ id: "r", enabled: true }] },
  { accountId: "a", bucketName: "b", rules: [] },
);

const RESOURCES = [
  service("secret-lb", secretValue("LoadBalancer")),
  service("unknown", UNKNOWN_VALUE),
  service("plain", "ClusterIP"),
  chart,
  bucket,
  lifecycle,
];

let result: PackResult | undefined;
async function analyzed(): Promise<PackResult> {
  result ??= await runPolicyPack(join(ROOT, "policies"), RESOURCES);
  return result;
}

const findings = (r: PackResult["violations"], policy: string) =>
  r.filter((v) => v.policy === policy).map((v) => ({ urn: v.urn, message: v.message }));

describe("the pack fed engine-shaped requests", () => {
  it("sees a secret input in clear (the engine reveals secrets to the pack)", async () => {
    const r = await analyzed();
    expect(findings(r.violations, "kubernetes-service-forbid-external-types")).toEqual([
      {
        urn: urnOf("kubernetes:core/v1:Service", "secret-lb"),
        message: expect.stringContaining("is LoadBalancer"),
      },
    ]);
  }, 180_000);

  it("reports a policy that reads an unknown value as undecided, neither crashing nor passing it", async () => {
    const r = await analyzed();
    expect(findings(r.undecided, "kubernetes-service-forbid-external-types")).toEqual([
      {
        urn: urnOf("kubernetes:core/v1:Service", "unknown"),
        message: expect.stringContaining("string value at .spec.type can't be known during preview"),
      },
    ]);
    expect(r.undecided.every((u) => u.enforcementLevel === "advisory")).toBe(true);
  }, 180_000);

  it("decides the Longhorn chart's values on its inputs although its outputs hold only resources", async () => {
    const r = await analyzed();
    expect(findings(r.violations, "longhorn-chart-require-backup-target")).toEqual([
      { urn: chart.urn, message: expect.stringContaining("no S3 backup target") },
    ]);
  }, 180_000);

  it("runs stack policies on outputs, not inputs", async () => {
    const r = await analyzed();
    expect(findings(r.violations, "cloudflare-r2bucket-require-lifecycle")).toEqual([
      { urn: bucket.urn, message: expect.stringContaining("R2 bucket b has no enabled lifecycle rule") },
    ]);
  }, 180_000);

  it("finds the same with each resource deserialized once per request as with once per policy", async () => {
    const once = await analyzed();
    process.env.ENCLII_POLICY_DESERIALIZE_EVERY_TIME = "1";
    try {
      const everyTime = await runPolicyPack(join(ROOT, "policies"), RESOURCES);
      expect(everyTime.violations).toEqual(once.violations);
      expect(everyTime.undecided).toEqual(once.undecided);
      expect(once.violations.length).toBeGreaterThan(2);
    } finally {
      delete process.env.ENCLII_POLICY_DESERIALIZE_EVERY_TIME;
    }
  }, 240_000);
});

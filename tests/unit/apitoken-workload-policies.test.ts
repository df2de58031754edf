/**
 * The Cloudflare API token policies on tokens shaped as the components create them, consumed (or
 * not) by a workload through a recorded dependency, as AnalyzeStack hands them over.
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { PERMISSION_GROUP_IDS, permissionGroupName } from "../../components/edge/cloudflare-permissions";
import { bucketPolicyResources, R2_PERMISSION_GROUPS } from "../../components/edge/r2-plan";
import { runStackPolicy, stackResource, urnOf } from "../helpers/policy-run";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped inputs
type Obj = Record<string, any>;
const WRITE = "cloudflare-apitoken-forbid-workload-account-write";
const CONDITIONS = "cloudflare-apitoken-require-workload-conditions";
const TOKEN = "cloudflare:index/apiToken:ApiToken";
const ACCOUNT = "3f6c2d8a9b1e4f7a8c0d2e4f6a8b0c1d";
const ZONE = "7a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d";

const zonePolicy = {
  effect: "allow",
  permissionGroups: [
    { id: PERMISSION_GROUP_IDS["DNS Write"] },
    { id: PERMISSION_GROUP_IDS["SSL and Certificates Write"] },
  ],
  resources: JSON.stringify({ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" }),
};
const accountPolicy = (group: keyof typeof PERMISSION_GROUP_IDS) => ({
  effect: "allow",
  permissionGroups: [{ id: PERMISSION_GROUP_IDS[group] }],
  resources: JSON.stringify({ [`com.cloudflare.api.account.${ACCOUNT}`]: "*" }),
});
const token = (policies: Obj[], extra: Obj = {}): PolicyResource =>
  stackResource(
    TOKEN,
    { name: "enclii-production-control-plane", policies, ...extra },
    {
      urn: urnOf("production", TOKEN, "enclii-cloudflare-token", ["enclii:control-plane:Enclii"]),
    },
  );
const secretUsing = (t: PolicyResource): PolicyResource =>
  stackResource(
    "kubernetes:core/v1:Secret",
    {
      kind: "Secret",
      metadata: { name: "switchyard-api", namespace: "enclii" },
      stringData: { TOKEN: "[secret]" },
    },
    { dependencies: [t] },
  );

describe("cloudflare-apitoken-forbid-workload-account-write", () => {
  it("passes the control plane's zone-only token reaching switchyard-api's Secret", () => {
    const t = token([zonePolicy]);
    expect(runStackPolicy(WRITE, [t, secretUsing(t)])).toEqual([]);
  });

  it("fails when the workload's token also holds account-wide Cloudflare Tunnel Write", () => {
    const t = token([zonePolicy, accountPolicy("Cloudflare Tunnel Write")]);
    expect(runStackPolicy(WRITE, [t, secretUsing(t)])).toEqual([
      {
        message: `API token enclii-production-control-plane: Cloudflare Tunnel Write on com.cloudflare.api.account.${ACCOUNT} is account-wide (every tunnel's token, every Access app) and reaches Secret enclii/switchyard-api; keep it out of workloads`,
        urn: t.urn,
      },
    ]);
  });

  it("fails on any Zero Trust write group, Access apps and service tokens included", () => {
    for (const group of [
      "Zero Trust Write",
      "Access: Apps and Policies Write",
      "Access: Service Tokens Write",
    ] as const) {
      const t = token([accountPolicy(group)]);
      expect(runStackPolicy(WRITE, [t, secretUsing(t)]).map((v) => v.message)).toEqual([
        expect.stringContaining(`: ${group} on com.cloudflare.api.account.${ACCOUNT}`),
      ]);
    }
  });

  it("leaves a token nothing in the cluster or on a node consumes (Pulumi's own)", () => {
    const t = token([accountPolicy("Cloudflare Tunnel Write")]);
    expect(runStackPolicy(WRITE, [t])).toEqual([]);
  });

  it("maps the ids the program uses back to their names", () => {
    expect(permissionGroupName(R2_PERMISSION_GROUPS.itemRead)).toBe("Workers R2 Storage Bucket Item Read");
    expect(permissionGroupName(R2_PERMISSION_GROUPS.itemWrite)).toBe("Workers R2 Storage Bucket Item Write");
  });
});

describe("cloudflare-apitoken-require-workload-conditions", () => {
  const r2 = (extra: Obj = {}) =>
    stackResource(
      TOKEN,
      {
        name: "enclii-production-r2-longhorn",
        policies: [
          {
            effect: "allow",
            permissionGroups: [{ id: R2_PERMISSION_GROUPS.itemRead }, { id: R2_PERMISSION_GROUPS.itemWrite }],
            resources: bucketPolicyResources(ACCOUNT, "eu", "enclii-production-longhorn"),
          },
        ],
        ...extra,
      },
      { urn: urnOf("production", TOKEN, "r2-longhorn-token") },
    );
  const consumer = (t: PolicyResource) =>
    stackResource(
      "kubernetes:core/v1:Secret",
      { kind: "Secret", metadata: { name: "longhorn-backup-credentials", namespace: "longhorn-system" } },
      { dependencies: [t] },
    );

  it("passes a workload's token with an expiry and a client IP condition", () => {
    const t = r2({
      expiresOn: "2027-06-01T00:00:00Z",
      condition: { requestIp: { ins: ["203.0.113.10/32"] } },
    });
    expect(runStackPolicy(CONDITIONS, [t, consumer(t)])).toEqual([]);
  });

  it("fails without an expiry, and without a client IP condition", () => {
    const noExpiry = r2({ condition: { requestIp: { ins: ["203.0.113.10/32"] } } });
    expect(runStackPolicy(CONDITIONS, [noExpiry, consumer(noExpiry)]).map((v) => v.message)).toEqual([
      "API token enclii-production-r2-longhorn reaches Secret longhorn-system/longhorn-backup-credentials with no expiresOn; a copy would work from anywhere, for ever",
    ]);
    const noIp = r2({ expiresOn: "2027-06-01T00:00:00Z" });
    expect(runStackPolicy(CONDITIONS, [noIp, consumer(noIp)]).map((v) => v.message)).toEqual([
      "API token enclii-production-r2-longhorn reaches Secret longhorn-system/longhorn-backup-credentials with no client IP condition; a copy would work from anywhere, for ever",
    ]);
  });

  it("leaves tokens no workload consumes alone", () => {
    expect(runStackPolicy(CONDITIONS, [r2()])).toEqual([]);
  });
});

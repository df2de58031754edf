import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";
import { outputValue, type Recorder, SECRET, settle, startComponentMocks } from "../helpers/mocks";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

// Production that grew to three nodes, with Redis in sentinel mode. The stack config refuses
// sentinel mode until Janua and switchyard-api can connect through Sentinels (config-rules.ts), so
// the parsed config is switched to it here: the data components' side of it is what is tested.
const project = baseProjectConfig();
project.nodes = [
  { name: "ax41-1", kind: "dedicated", role: "server", serverNumber: 123456, ipv4: "203.0.113.10" },
  { name: "cpx-1", kind: "cloud", role: "agent", serverType: "cpx31", location: "fsn1" },
  { name: "cpx-2", kind: "cloud", role: "agent", serverType: "cpx31", location: "fsn1", storage: false },
];
const parsed = parseStackConfig(
  toRawConfig(project, { ...baseSecrets(), "hcloud:token": "h" }),
  "production",
);
const config = { ...parsed, redis: { ...parsed.redis, mode: "sentinel" as const } };

let recorder: Recorder;
let januaUrl: string;

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const k8s = await import("@pulumi/kubernetes");
  const { buildR2 } = await import("../../stacks/edge");
  const { buildData } = await import("../../stacks/data");
  const provider = new k8s.Provider("k3s", { kubeconfig: pulumi.secret("apiVersion: v1") });
  const names = ["cert-manager", "longhorn-system", "cnpg-system", "data"];
  const namespaces = Object.fromEntries(names.map((n) => [n, pulumi.output(n)]));
  const data = buildData(config, { provider, namespaces, r2: buildR2(config) });
  januaUrl = await outputValue(data.postgres.connections.janua?.url as never);
  await settle();
});

const crs = (kind: string) => recorder.resources.filter((r) => r.inputs.kind === kind);

describe("storage and data under the mock runtime", () => {
  it("installs cert-manager, Longhorn, the CNPG operator and the barman-cloud plugin from pinned charts", () => {
    const charts = recorder
      .ofType("kubernetes:helm.sh/v4:Chart")
      .map((c) => `${c.inputs.chart}@${c.inputs.version}`);
    expect(charts.sort()).toEqual([
      "cert-manager@v1.20.2",
      "cloudnative-pg@0.29.0",
      "longhorn@1.12.1",
      "plugin-barman-cloud@0.7.1",
    ]);
  });

  it("sets Longhorn's replica count from the storage nodes (2 of 3 nodes store data)", () => {
    const longhorn = recorder.get("kubernetes:helm.sh/v4:Chart", "longhorn");
    const values = longhorn.inputs.values as Manifest;
    expect(values.persistence.defaultClassReplicaCount).toBe(2);
    expect(values.defaultSettings.defaultReplicaCount).toBe(2);
    // Longhorn's own bucket: its key reaches no other consumer's backups.
    expect(values.defaultBackupStore.backupTarget).toBe("s3://enclii-production-longhorn@auto/longhorn/");
  });

  it("gives every CNPG cluster an ObjectStore and a ScheduledBackup", () => {
    for (const cluster of crs("Cluster")) {
      const name = (cluster.inputs.metadata as Manifest).name;
      const plugin = (cluster.inputs.spec as Manifest).plugins[0];
      expect(crs("ObjectStore").map((o) => (o.inputs.metadata as Manifest).name)).toContain(
        plugin.parameters.barmanObjectName,
      );
      expect(crs("ScheduledBackup").map((b) => (b.inputs.spec as Manifest).cluster.name)).toContain(name);
    }
    expect(crs("Cluster")).toHaveLength(1);
  });

  it("gives every consumer a Database, a managed role and a basic-auth Secret labelled for reload", () => {
    const cluster = crs("Cluster")[0] as Manifest;
    const roles = (cluster.inputs.spec as Manifest).managed.roles.map((r: Manifest) => r.name);
    for (const consumer of ["enclii", "janua"]) {
      expect(roles).toContain(consumer);
      expect(crs("Database").some((d) => (d.inputs.spec as Manifest).name === consumer)).toBe(true);
      const secret = recorder.get("kubernetes:core/v1:Secret", `postgres-${consumer}-credentials`);
      expect(secret.inputs).toMatchObject({ type: "kubernetes.io/basic-auth", stringData: SECRET });
      expect((secret.inputs.metadata as Manifest).labels).toEqual({ "cnpg.io/reload": "true" });
    }
  });

  it("outputs a postgresql:// URL per consumer pointing at the read-write service", () => {
    expect(januaUrl).toMatch(
      /^postgresql:\/\/janua:[A-Za-z0-9]{32}@postgres-rw\.data\.svc:5432\/janua\?sslmode=require$/,
    );
  });

  it("creates CNPG objects only after the charts that install their CRDs", () => {
    const cluster = crs("Cluster")[0];
    for (const chart of ["cnpg-operator", "cnpg-barman-cloud"]) {
      expect(cluster?.dependencies).toContain(recorder.get("kubernetes:helm.sh/v4:Chart", chart).urn);
    }
    const job = crs("RecurringJob")[0];
    expect(job?.dependencies).toContain(recorder.get("kubernetes:helm.sh/v4:Chart", "longhorn").urn);
  });

  it("protects every stateful resource in production", () => {
    const stateful = [
      ...crs("Cluster"),
      ...crs("StatefulSet"),
      ...recorder.ofType("cloudflare:index/r2Bucket:R2Bucket"),
    ];
    expect(stateful.length).toBeGreaterThanOrEqual(6);
    for (const r of stateful) expect(r.protect, r.name).toBe(true);
  });

  it("runs Redis with 3 data pods and 3 Sentinels in sentinel mode", () => {
    const sets = crs("StatefulSet").map((s) => [
      (s.inputs.metadata as Manifest).name,
      (s.inputs.spec as Manifest).replicas,
    ]);
    expect(sets.sort()).toEqual([
      ["redis", 3],
      ["redis-sentinel", 3],
    ]);
  });
});

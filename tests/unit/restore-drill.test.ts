import { describe, expect, it } from "vitest";
import { BARMAN_PLUGIN } from "../../components/data/postgres-manifests";
import { drillManifest, drillSource } from "../../scripts/lib/drill-target";
import { parseCheck, parseDuration, type Runner, runDrill } from "../../scripts/lib/restore-drill";
import { readProjectName, readStackFile } from "../../scripts/lib/stack-file";
import { parseStackConfig } from "../../stacks/config";
import { postgresArchives } from "../../stacks/data";
import { loadCrdSchemas, validateObject } from "../helpers/k8s-validate";
import { ROOT } from "../helpers/plan-cli";

// biome-ignore lint/suspicious/noExplicitAny: reading manifest fields
type Manifest = Record<string, any>;

const config = parseStackConfig(
  readStackFile(`${ROOT}/Pulumi.production.yaml`, readProjectName(`${ROOT}/Pulumi.yaml`)).config,
  "production",
  { checkSecrets: false },
);
const AT = new Date("2026-11-22T12:00:00Z");

describe("restore drill manifest", () => {
  it("recovers the source from its archive into a new cluster in the same namespace, without archiving", () => {
    const m = drillManifest(drillSource(config, "postgres"), AT) as Manifest;
    expect(m.metadata).toMatchObject({ name: "postgres-drill-20261122t1200", namespace: "data" });
    expect(m.spec.instances).toBe(1);
    expect(m.spec.storage.size).toBe(config.postgres.storageSize);
    expect(m.spec.bootstrap).toEqual({ recovery: { source: "origin" } });
    expect(m.spec.externalClusters).toEqual([
      {
        name: "origin",
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: { barmanObjectName: "postgres-r2", serverName: "postgres" },
        },
      },
    ]);
    expect(m.spec.plugins, "a drill cluster never archives WAL").toBeUndefined();
    expect(m.spec.managed).toBeUndefined();
  });

  it("recovers a dedicated Janua's cluster and a point in time", () => {
    const m = drillManifest(drillSource(config, "janua-globex"), AT, "2026-11-22T11:00:00Z") as Manifest;
    expect(m.metadata).toMatchObject({ name: "janua-globex-drill-20261122t1200", namespace: "janua-globex" });
    expect(m.spec.bootstrap.recovery.recoveryTarget).toEqual({ targetTime: "2026-11-22T11:00:00Z" });
  });

  it("after a recovery, drills from the archive the cluster writes to now", () => {
    const recovered = {
      ...config,
      postgres: {
        ...config.postgres,
        recovery: { postgres: { fromServerName: "postgres", archiveServerName: "postgres-2" } },
      },
    };
    const m = drillManifest(drillSource(recovered, "postgres"), AT) as Manifest;
    expect(m.spec.externalClusters[0].plugin.parameters).toEqual({
      barmanObjectName: "postgres-r2",
      serverName: "postgres-2",
    });
    expect(m.spec.plugins).toBeUndefined();
    expect(m.spec.bootstrap.recovery.source).toBe("origin");
  });

  it("lists the archive each cluster writes to now (what backup-check expects in R2)", () => {
    expect(postgresArchives(config)).toEqual([
      { cluster: "postgres", serverName: "postgres" },
      { cluster: "janua-globex", serverName: "janua-globex" },
    ]);
    const recovered = {
      ...config,
      postgres: {
        ...config.postgres,
        recovery: { "janua-globex": { fromServerName: "janua-globex", archiveServerName: "janua-globex-2" } },
      },
    };
    expect(postgresArchives(recovered)[1]).toEqual({ cluster: "janua-globex", serverName: "janua-globex-2" });
  });

  it("names the clusters that exist when asked for one that does not", () => {
    expect(() => drillSource(config, "janua-acme")).toThrow(
      "--cluster janua-acme: no such PostgreSQL cluster in this stack; use one of postgres, janua-globex",
    );
  });

  it("validates against the upstream CNPG Cluster CRD", (ctx) => {
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    expect(
      validateObject(
        drillManifest(drillSource(config, "postgres"), AT, "2026-11-22T11:00:00Z") as Manifest,
        schemas,
      ),
    ).toEqual([]);
  });
});

describe("restore drill arguments", () => {
  it("accepts table[:minRows][:column] and rejects anything that could be SQL", () => {
    expect(parseCheck("public.users:100:created_at")).toEqual({
      table: "public.users",
      minRows: 100,
      timestampColumn: "created_at",
    });
    expect(parseCheck("users")).toEqual({ table: "users" });
    expect(() => parseCheck("users;drop table x")).toThrow(/lowercase identifier/);
    expect(() => parseCheck("users:many")).toThrow(/whole number/);
    expect(() => parseCheck('users:1:"x"')).toThrow(/timestamp column/);
    expect(parseDuration("15m", "--rpo")).toBe(900);
    expect(() => parseDuration("15", "--rpo")).toThrow(
      "--rpo must be a duration such as 15m, 1h or 30s (got 15)",
    );
  });
});

/** A kubectl stand-in: records every call; `fail` makes one subcommand throw. */
function fakeKubectl(fail?: string, output = "users|5|1795348500\n") {
  const calls: string[][] = [];
  const runner: Runner = async (command, args) => {
    calls.push([command, ...args]);
    const sub = args[2] as string;
    if (sub === fail) throw new Error(`kubectl ${sub}: simulated failure`);
    return sub === "exec" ? output : "";
  };
  return { calls, runner };
}

describe("restore drill orchestration", () => {
  const manifest = drillManifest(drillSource(config, "postgres"), AT);
  let clock = AT.getTime();
  const now = () => {
    clock += 60_000;
    return new Date(clock);
  };
  const base = {
    manifest,
    database: "janua",
    checks: [{ table: "users", timestampColumn: "created_at" }],
    rpoSeconds: 900,
    timeoutSeconds: 1800,
    kubectlArgs: ["--kubeconfig", "/k"],
    now,
  };

  it("creates, waits, checks in the recovered pod, measures the recovery time and deletes", async () => {
    clock = AT.getTime();
    const k = fakeKubectl();
    const report = await runDrill({ ...base, runner: k.runner });
    expect(k.calls.map((c) => c[3])).toEqual(["apply", "wait", "exec", "delete"]);
    expect(k.calls[1]).toContain("cluster.postgresql.cnpg.io/postgres-drill-20261122t1200");
    expect(k.calls[2]).toEqual(
      expect.arrayContaining(["postgres-drill-20261122t1200-1", "psql", "-d", "janua"]),
    );
    expect(report).toMatchObject({ ok: true, recoverySeconds: 60, cleanedUp: true });
  });

  it("still deletes the cluster when recovery times out, and fails", async () => {
    clock = AT.getTime();
    const k = fakeKubectl("wait");
    const report = await runDrill({ ...base, runner: k.runner });
    expect(k.calls.map((c) => c[3])).toEqual(["apply", "wait", "delete"]);
    expect(report).toMatchObject({ ok: false, cleanedUp: true, error: "kubectl wait: simulated failure" });
  });

  it("fails when the recovered data is older than the RPO", async () => {
    clock = AT.getTime();
    const k = fakeKubectl(undefined, "users|5|1795338000\n");
    const report = await runDrill({ ...base, runner: k.runner });
    expect(report.ok).toBe(false);
    expect(report.checks[0]?.detail).toMatch(/more than the RPO of 900 s/);
  });

  it("says so loudly when the cleanup itself fails", async () => {
    const k = fakeKubectl("delete");
    const report = await runDrill({ ...base, runner: k.runner });
    expect(report.cleanedUp).toBe(false);
    expect(report.error).toContain(
      "cleanup failed, delete cluster data/postgres-drill-20261122t1200 by hand",
    );
  });
});

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

/**
 * A kubectl stand-in answering as the API server would: the source's primary, the source's and the
 * recovered pod's psql output, the drill PVCs' volume, and (after deletion) nothing left. `fail`
 * makes one subcommand throw; `left` keeps a Longhorn volume after its deletion.
 */
function fakeKubectl(opts: { fail?: string; recovered?: string; source?: string; left?: boolean } = {}) {
  const calls: string[][] = [];
  const runner: Runner = async (command, args) => {
    calls.push([command, ...args]);
    const sub = args[2] as string;
    if (sub === opts.fail) throw new Error(`kubectl ${sub}: simulated failure`);
    const rest = args.slice(3);
    if (sub === "get" && rest[0] === "cluster.postgresql.cnpg.io/postgres") return "postgres-2";
    if (sub === "exec")
      return rest.includes("postgres-2")
        ? (opts.source ?? "users|5|1795348500\n")
        : (opts.recovered ?? "users|5|1795348500\n");
    if (sub === "get" && rest[0] === "pvc") return "pvc-7d1e\n";
    if (sub === "get" && rest[0] === "volumes.longhorn.io" && opts.left)
      return "volume.longhorn.io/pvc-7d1e\n";
    return "";
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
    source: "postgres",
    database: "janua",
    checks: [{ table: "users", timestampColumn: "created_at" }],
    rpoSeconds: 900,
    timeoutSeconds: 1800,
    kubectlArgs: ["--kubeconfig", "/k"],
    now,
  };
  const verbs = (calls: string[][]) => calls.map((c) => `${c[3]} ${c[4]}`);

  it("reads the source's primary, recovers, checks, measures and deletes the cluster and its volumes", async () => {
    clock = AT.getTime();
    const k = fakeKubectl();
    const report = await runDrill({ ...base, runner: k.runner });
    expect(verbs(k.calls)).toEqual([
      "get cluster.postgresql.cnpg.io/postgres",
      "exec -n",
      "apply -f",
      "wait --for=condition=Ready",
      "exec -n",
      "get pvc",
      "delete -f",
      "delete pvc",
      "delete pv",
      "delete volumes.longhorn.io",
      "get pv",
      "get volumes.longhorn.io",
    ]);
    expect(k.calls[1]).toEqual(expect.arrayContaining(["postgres-2", "psql", "-d", "janua"]));
    expect(k.calls[3]).toContain("cluster.postgresql.cnpg.io/postgres-drill-20261122t1200");
    expect(k.calls[4]).toEqual(expect.arrayContaining(["postgres-drill-20261122t1200-1", "psql"]));
    expect(k.calls[5]).toEqual(
      expect.arrayContaining(["-l", "cnpg.io/cluster=postgres-drill-20261122t1200"]),
    );
    expect(k.calls[9]).toEqual(expect.arrayContaining(["pvc-7d1e", "-n", "longhorn-system"]));
    expect(report).toMatchObject({ ok: true, recoverySeconds: 60, cleanedUp: true, volumes: ["pvc-7d1e"] });
    expect(report.proved).toEqual([
      "the archive of postgres restores into a running PostgreSQL, Ready after 60 s",
      expect.stringMatching(/^users: 5 rows, newest .*, 0 s behind the source's newest at /),
      "the drill cluster and its 1 volume(s) are gone (PVC, PV, Longhorn volume)",
    ]);
    expect(report.notProved.join("\n")).toMatch(/Janua and the other consumers.*\n.*lost node/s);
  });

  it("still deletes the cluster and its volumes when recovery times out, and fails", async () => {
    clock = AT.getTime();
    const k = fakeKubectl({ fail: "wait" });
    const report = await runDrill({ ...base, runner: k.runner });
    expect(verbs(k.calls)).toContain("delete volumes.longhorn.io");
    expect(report).toMatchObject({ ok: false, cleanedUp: true, error: "kubectl wait: simulated failure" });
    expect(report.notProved).toContain("a passing restore: the drill failed (see error and checks)");
  });

  it("fails when the recovered data is behind the source's by more than the RPO, not behind the clock", async () => {
    clock = AT.getTime();
    const behind = fakeKubectl({ recovered: "users|5|1795338000\n" });
    const report = await runDrill({ ...base, runner: behind.runner });
    expect(report.ok).toBe(false);
    expect(report.checks[0]?.detail).toMatch(
      /10500 s behind the source's newest .*more than the RPO of 900 s/,
    );
    // Hours-old data passes when the source has nothing newer (an idle table).
    clock = AT.getTime();
    const idle = fakeKubectl({ recovered: "users|5|1795338000\n", source: "users|5|1795338000\n" });
    expect((await runDrill({ ...base, runner: idle.runner })).ok).toBe(true);
  });

  it("says so loudly when the cleanup fails or leaves a Longhorn volume behind", async () => {
    const k = fakeKubectl({ fail: "delete" });
    const report = await runDrill({ ...base, runner: k.runner });
    expect(report.cleanedUp).toBe(false);
    expect(report.error).toContain(
      "cleanup failed, delete cluster data/postgres-drill-20261122t1200, its PVCs, PVs and Longhorn volumes by hand",
    );
    const kept = await runDrill({ ...base, runner: fakeKubectl({ left: true }).runner });
    expect(kept).toMatchObject({ ok: false, cleanedUp: false });
    expect(kept.error).toContain(
      "still present after deletion: longhorn-system/volumes.longhorn.io/pvc-7d1e",
    );
  });

  it("says it proved no RPO when no check names a timestamp column, and skips the source", async () => {
    clock = AT.getTime();
    const k = fakeKubectl();
    const report = await runDrill({ ...base, checks: [{ table: "users" }], runner: k.runner });
    expect(k.calls[0]?.[3]).toBe("apply");
    expect(report.notProved).toContain("any RPO: no --check names a timestamp column");
  });
});

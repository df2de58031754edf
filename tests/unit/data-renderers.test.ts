import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BARMAN_PLUGIN,
  renderCluster,
  renderDatabases,
  renderObjectStore,
  renderScheduledBackup,
} from "../../components/data/postgres-manifests";
import { passwordHash, type RedisUser } from "../../components/data/redis-acl";
import { redisMemory, renderRedisConf, renderSentinelConf } from "../../components/data/redis-config";
import {
  podHost,
  renderRedisInitScript,
  renderRedisManifests,
  renderSentinelInitScript,
} from "../../components/data/redis-manifests";
import {
  LONGHORN_BACKUP_GROUP,
  longhornBackupTarget,
  longhornValues,
  renderRecurringJobs,
} from "../../components/storage/longhorn-values";
import { requireBinary } from "../helpers/binaries";
import { loadCrdSchemas, validateObject } from "../helpers/k8s-validate";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;
const PASSWORD = "a-password-of-enough-length";
const USERS: RedisUser[] = [{ name: "janua", password: PASSWORD, rules: ["~*", "+@all", "-@dangerous"] }];
const REPLICATION = { user: "replication", password: "replication-password-0123" };
const SENTINEL = { user: "sentinel", password: "sentinel-password-0123456" };
const resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "768Mi" } };

describe("redis.conf and sentinel.conf", () => {
  it("declares ACL users by hash instead of a shared requirepass, keeps AOF on and bounds memory", () => {
    const conf = renderRedisConf({ users: USERS, maxMemory: "512Mi", maxMemoryPolicy: "noeviction" });
    expect(conf).toContain(`user janua reset on #${passwordHash(PASSWORD)} ~* +@all -@dangerous`);
    expect(conf).toContain("user default reset off");
    expect(conf).not.toContain(PASSWORD);
    expect(conf).not.toMatch(/requirepass|masterauth|masteruser|aclfile/);
    expect(conf).toContain("appendonly yes\nappendfsync everysec");
    expect(conf).toContain("maxmemory 512mb\nmaxmemory-policy noeviction");
    expect(conf).not.toContain("replicaof");
  });

  it("makes a replica follow its master and announce its stable name", () => {
    const conf = renderRedisConf({
      users: USERS,
      replication: REPLICATION,
      maxMemory: "1Gi",
      maxMemoryPolicy: "noeviction",
      replicaOf: { host: "redis-0.redis-headless.data.svc.cluster.local", port: 6379 },
      announceHostname: "redis-1.redis-headless.data.svc.cluster.local",
    });
    expect(conf).toContain("replicaof redis-0.redis-headless.data.svc.cluster.local 6379");
    expect(conf).toContain("replica-announce-ip redis-1.redis-headless.data.svc.cluster.local");
    // A replica authenticates as the replication user (masteruser + masterauth), not as a client.
    expect(conf).toContain(`masteruser replication\nmasterauth ${REPLICATION.password}`);
  });

  it("resolves hostnames before monitoring the master by name, with quorum and auth", () => {
    const conf = renderSentinelConf({
      masterName: "enclii",
      masterHost: "redis-0.x",
      masterPort: 6379,
      quorum: 2,
      auth: SENTINEL,
      peer: SENTINEL,
      users: [{ name: "sentinel", password: SENTINEL.password, rules: ["allchannels", "+@all"] }],
    });
    expect(conf.indexOf("sentinel resolve-hostnames yes")).toBeLessThan(conf.indexOf("sentinel monitor"));
    expect(conf).toContain("sentinel announce-hostnames yes");
    expect(conf).toContain("sentinel monitor enclii redis-0.x 6379 2");
    expect(conf).toContain(
      `sentinel auth-user enclii sentinel\nsentinel auth-pass enclii ${SENTINEL.password}`,
    );
    expect(conf).toContain(`sentinel sentinel-user sentinel\nsentinel sentinel-pass ${SENTINEL.password}`);
    expect(conf).toContain("sentinel parallel-syncs enclii 1");
    expect(conf).toContain("user default reset off");
    expect(conf).not.toContain("requirepass");
  });

  it("fails on a short password, no users, a Sentinel without its peer user and an unknown memory unit", () => {
    expect(() =>
      renderRedisConf({
        users: USERS,
        replication: { user: "replication", password: "short" },
        maxMemory: "1Gi",
        maxMemoryPolicy: "noeviction",
      }),
    ).toThrow("replication.password: at least 16 characters");
    expect(() => renderRedisConf({ users: [], maxMemory: "1Gi", maxMemoryPolicy: "noeviction" })).toThrow(
      "users: at least one user",
    );
    expect(() =>
      renderRedisConf({
        users: [{ name: "janua", password: "short", rules: ["nopass"] }],
        maxMemory: "1Gi",
        maxMemoryPolicy: "noeviction",
      }),
    ).toThrow(
      'redis.conf: users.janua: password needs at least 16 characters; users.janua: rule "nopass" is not allowed',
    );
    expect(() =>
      renderSentinelConf({
        masterName: "enclii",
        masterHost: "redis-0.x",
        masterPort: 6379,
        quorum: 2,
        auth: SENTINEL,
        peer: SENTINEL,
        users: USERS,
      }),
    ).toThrow("users: the peer user sentinel must be one of the Sentinel's users");
    expect(() => redisMemory("1G")).toThrow("maxMemory 1G must be a quantity such as 512Mi or 1Gi");
    expect(redisMemory("2Gi")).toBe("2gb");
  });
});

describe("Redis manifests", () => {
  const standalone = renderRedisManifests({
    namespace: "data",
    mode: "standalone",
    storageSize: "5Gi",
    resources,
  }) as Manifest[];
  const sentinel = renderRedisManifests({
    namespace: "data",
    mode: "sentinel",
    storageSize: "5Gi",
    resources,
  }) as Manifest[];
  const sts = (list: Manifest[], name: string) =>
    list.find((m) => m.kind === "StatefulSet" && m.metadata.name === name);

  it("standalone: one pod on a Longhorn PVC with a headless and a client Service", () => {
    expect(sts(standalone, "redis")?.spec.replicas).toBe(1);
    expect(sts(standalone, "redis")?.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("longhorn");
    expect(standalone.filter((m) => m.kind === "Service").map((m) => m.metadata.name)).toEqual([
      "redis-headless",
      "redis",
    ]);
  });

  it("probes authenticate as the monitor user with its password from the Secret", () => {
    const container = sts(standalone, "redis")?.spec.template.spec.containers[0];
    expect(container.livenessProbe.exec.command.join(" ")).toContain(
      '--user monitor -a "$REDIS_MONITOR_PASSWORD"',
    );
    expect(container.env[0]).toEqual({
      name: "REDIS_MONITOR_PASSWORD",
      valueFrom: { secretKeyRef: { name: "redis-auth", key: "monitor" } },
    });
    expect(container.livenessProbe).not.toEqual(container.readinessProbe);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  it("sentinel: 3 data pods and 3 Sentinels, required anti-affinity, PDBs, a Sentinel client Service", () => {
    expect(sts(sentinel, "redis")?.spec.replicas).toBe(3);
    expect(sts(sentinel, "redis-sentinel")?.spec.replicas).toBe(3);
    for (const name of ["redis", "redis-sentinel"]) {
      expect(
        sts(sentinel, name)?.spec.template.spec.affinity.podAntiAffinity
          .requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
      ).toBe("kubernetes.io/hostname");
    }
    expect(sentinel.filter((m) => m.kind === "PodDisruptionBudget")).toHaveLength(2);
    expect(sentinel.some((m) => m.kind === "Service" && m.metadata.name === "redis-sentinel")).toBe(true);
    expect(podHost("redis", 0, "data")).toBe("redis-0.redis-headless.data.svc.cluster.local");
  });

  it("every object of both modes validates against the Kubernetes schemas", () => {
    for (const object of [...standalone, ...sentinel]) expect(validateObject(object, undefined)).toEqual([]);
  });

  it.for(["redis", "sentinel"])("the %s init script passes shellcheck as POSIX sh", (which, ctx) => {
    requireBinary("shellcheck", ctx);
    const file = join(mkdtempSync(join(tmpdir(), "redis-init-")), `${which}.sh`);
    writeFileSync(file, which === "redis" ? renderRedisInitScript("data") : renderSentinelInitScript("data"));
    const result = spawnSync("shellcheck", ["--shell=sh", file], { encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("CloudNativePG manifests", () => {
  const options = {
    name: "postgres",
    namespace: "data",
    instances: 3,
    storageSize: "50Gi",
    resources,
    consumers: ["enclii", "janua"],
    backup: {
      bucket: "enclii-production-backups",
      endpoint: "https://acc.r2.cloudflarestorage.com",
      credentialsSecret: "postgres-r2-credentials",
      retention: "30d",
      schedule: "0 0 3 * * *",
    },
  };
  const store = renderObjectStore(options) as Manifest;
  const cluster = renderCluster(options) as Manifest;

  it("archives to R2 under cnpg/<cluster>/ with retention, compression and the R2 checksum settings", () => {
    expect(store.spec.configuration.destinationPath).toBe("s3://enclii-production-backups/cnpg/");
    expect(store.spec.retentionPolicy).toBe("30d");
    expect(store.spec.configuration.wal.compression).toBe("gzip");
    expect(store.spec.instanceSidecarConfiguration.env).toEqual([
      { name: "AWS_REQUEST_CHECKSUM_CALCULATION", value: "when_required" },
      { name: "AWS_RESPONSE_CHECKSUM_VALIDATION", value: "when_required" },
    ]);
  });

  it("makes the plugin the WAL archiver and manages one login role per consumer", () => {
    expect(cluster.spec.plugins).toEqual([
      { name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: "postgres-r2" } },
    ]);
    expect(cluster.spec.managed.roles.map((r: Manifest) => r.passwordSecret.name)).toEqual([
      "postgres-enclii-credentials",
      "postgres-janua-credentials",
    ]);
    expect(cluster.spec.storage).toEqual({ size: "50Gi", storageClass: "longhorn" });
  });

  it("backs up daily through the plugin and creates a Database per consumer", () => {
    expect((renderScheduledBackup(options) as Manifest).spec).toMatchObject({
      schedule: "0 0 3 * * *",
      method: "plugin",
      pluginConfiguration: { name: BARMAN_PLUGIN },
    });
    expect(renderDatabases(options).map((d) => (d as Manifest).spec)).toEqual([
      { name: "enclii", owner: "enclii", ensure: "present", cluster: { name: "postgres" } },
      { name: "janua", owner: "janua", ensure: "present", cluster: { name: "postgres" } },
    ]);
  });

  it("validates against the upstream CRDs", (ctx) => {
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    for (const object of [store, cluster, renderScheduledBackup(options), ...renderDatabases(options)]) {
      expect(validateObject(object as Manifest, schemas)).toEqual([]);
    }
  });

  it("recovery mode: bootstraps from the old archive and archives to a new one, valid against the CRD", (ctx) => {
    const recovered = renderCluster({
      ...options,
      archiveServerName: "postgres-2",
      recovery: { fromServerName: "postgres", targetTime: "2026-11-22T03:00:00Z" },
    }) as Manifest;
    expect(recovered.spec.bootstrap).toEqual({
      recovery: { source: "origin", recoveryTarget: { targetTime: "2026-11-22T03:00:00Z" } },
    });
    expect(recovered.spec.externalClusters).toEqual([
      {
        name: "origin",
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: { barmanObjectName: "postgres-r2", serverName: "postgres" },
        },
      },
    ]);
    expect(recovered.spec.plugins[0].parameters).toEqual({
      barmanObjectName: "postgres-r2",
      serverName: "postgres-2",
    });
    // Roles stay managed: the recovered database gets the passwords of the program's Secrets.
    expect(recovered.spec.managed.roles).toHaveLength(2);
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    expect(validateObject(recovered, schemas)).toEqual([]);
  });

  it("recovery mode refuses to write into the archive it reads", () => {
    expect(() => renderCluster({ ...options, recovery: { fromServerName: "postgres" } })).toThrow(
      "recovery.fromServerName: postgres is also the archive it writes to; set archiveServerName to a new name",
    );
  });

  it("fails on a five-field schedule or a consumer that is not a role name", () => {
    expect(() =>
      renderCluster({
        ...options,
        consumers: ["Bad-Name"],
        backup: { ...options.backup, schedule: "0 3 * * *" },
      }),
    ).toThrow(
      "consumers: Bad-Name is not a valid role/database name; backup.schedule: six fields, seconds first",
    );
  });
});

describe("Longhorn values", () => {
  it("derives replicas from the storage nodes and backs up to R2", () => {
    const one = longhornValues({ storageNodes: 1, replicaCount: 1, backupBucket: "b" });
    expect(one.persistence).toMatchObject({ defaultClass: true, defaultClassReplicaCount: 1 });
    expect(one.defaultSettings).toMatchObject({ defaultReplicaCount: 1, replicaSoftAntiAffinity: true });
    expect(one.defaultBackupStore.backupTarget).toBe("s3://b@auto/longhorn/");
    expect(
      longhornValues({ storageNodes: 4, replicaCount: 3, backupBucket: "b" }).defaultSettings
        .replicaSoftAntiAffinity,
    ).toBe(false);
    expect(longhornBackupTarget("x")).toBe("s3://x@auto/longhorn/");
  });

  it("fails when the replica count cannot be placed", () => {
    expect(() => longhornValues({ storageNodes: 1, replicaCount: 2, backupBucket: "b" })).toThrow(
      "replicaCount 2 must be between 1 and min(3, storage nodes = 1)",
    );
  });

  it("schedules daily snapshot and backup jobs with retention, valid against the CRD", (ctx) => {
    const jobs = renderRecurringJobs("longhorn-system", {
      snapshot: { cron: "0 2 * * *", retain: 7 },
      backup: { cron: "30 3 * * *", retain: 14 },
    }) as Manifest[];
    expect(jobs.map((j) => [j.spec.task, j.spec.retain])).toEqual([
      ["snapshot", 7],
      ["backup", 14],
    ]);
    // Not `default`: Longhorn puts every unlabelled volume (CNPG, Prometheus) into that group.
    for (const job of jobs) expect(job.spec.groups).toEqual([LONGHORN_BACKUP_GROUP]);
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    for (const job of jobs) expect(validateObject(job, schemas)).toEqual([]);
  });
});

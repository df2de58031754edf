/**
 * CloudNativePG objects as plain manifests: the Cluster, its barman-cloud ObjectStore on R2, the
 * daily ScheduledBackup, and a Database per consumer. Pure; validated against the upstream CRDs.
 * The restore drill renders its recovery cluster with the same functions.
 */
import { commonLabels } from "../shared/labels";
import { IMAGES, imageRef } from "../versions";

type Obj = Record<string, unknown>;

/** The barman-cloud plugin's name in a Cluster's `plugins`. */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

/** R2 checksum settings the AWS SDK inside barman-cloud needs (REFERENCE.md). */
export const R2_SIDECAR_ENV = [
  { name: "AWS_REQUEST_CHECKSUM_CALCULATION", value: "when_required" },
  { name: "AWS_RESPONSE_CHECKSUM_VALIDATION", value: "when_required" },
];

/** Options of a CNPG cluster. */
export interface PostgresOptions {
  /** Cluster name; the R2 path is `cnpg/<name>/`. */
  readonly name: string;
  readonly namespace: string;
  readonly instances: number;
  readonly storageSize: string;
  readonly walStorageSize?: string;
  /** @default "longhorn" */
  readonly storageClass?: string;
  readonly resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  readonly parameters?: Record<string, string>;
  /** Databases, each owned by a role of the same name. */
  readonly consumers: readonly string[];
  readonly backup: {
    /** e.g. `enclii-production-backups`. */
    readonly bucket: string;
    /** `https://<account>.r2.cloudflarestorage.com`. */
    readonly endpoint: string;
    /** Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
    readonly credentialsSecret: string;
    /** e.g. `30d`. */
    readonly retention: string;
    /** Six-field cron. */
    readonly schedule: string;
  };
  /** Create a PodMonitor (needs the prometheus-operator CRDs). @default false */
  readonly podMonitor?: boolean;
  /** The archive it writes to, `cnpg/<archiveServerName>/`. @default the cluster name */
  readonly archiveServerName?: string;
  /** Create the cluster by recovering another archive (after a lost node). */
  readonly recovery?: {
    /** The archive to read, `cnpg/<fromServerName>/`. */
    readonly fromServerName: string;
    /** Point-in-time target (RFC 3339); the newest WAL when omitted. */
    readonly targetTime?: string;
  };
}

/** Name of a consumer's credentials Secret. */
export const roleSecretName = (cluster: string, consumer: string) => `${cluster}-${consumer}-credentials`;
/** Name of the cluster's ObjectStore. */
export const objectStoreName = (cluster: string) => `${cluster}-r2`;
/** In-cluster host of the read-write service. */
export const rwHost = (cluster: string, namespace: string) => `${cluster}-rw.${namespace}.svc`;

/** Problems with the options (empty when valid). */
export function validatePostgresOptions(o: PostgresOptions): string[] {
  const problems: string[] = [];
  if (!/^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$/.test(o.name))
    problems.push(`name: ${o.name} is not a valid cluster name`);
  if (o.instances < 1) problems.push("instances: at least 1");
  for (const c of o.consumers) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(c)) problems.push(`consumers: ${c} is not a valid role/database name`);
  }
  if (new Set(o.consumers).size !== o.consumers.length) problems.push("consumers: each consumer once");
  if (o.backup.schedule.trim().split(/\s+/).length !== 6)
    problems.push("backup.schedule: six fields, seconds first");
  if (o.recovery && o.recovery.fromServerName === (o.archiveServerName ?? o.name))
    problems.push(
      `recovery.fromServerName: ${o.recovery.fromServerName} is also the archive it writes to; set archiveServerName to a new name`,
    );
  return problems;
}

const labels = (o: PostgresOptions) =>
  commonLabels({ name: "postgres", instance: o.name, component: "database" });

/** The barman-cloud ObjectStore: WAL and base backups under `s3://<bucket>/cnpg/<cluster>/`. */
export function renderObjectStore(o: PostgresOptions, options: { serverPath?: string } = {}): Obj {
  return {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: {
      name: objectStoreName(options.serverPath ?? o.name),
      namespace: o.namespace,
      labels: labels(o),
    },
    spec: {
      retentionPolicy: o.backup.retention,
      configuration: {
        destinationPath: `s3://${o.backup.bucket}/cnpg/`,
        endpointURL: o.backup.endpoint,
        s3Credentials: {
          accessKeyId: { name: o.backup.credentialsSecret, key: "ACCESS_KEY_ID" },
          secretAccessKey: { name: o.backup.credentialsSecret, key: "ACCESS_SECRET_KEY" },
        },
        wal: { compression: "gzip", maxParallel: 2 },
        data: { compression: "gzip", jobs: 2 },
      },
      instanceSidecarConfiguration: { env: R2_SIDECAR_ENV },
    },
  };
}

/** The Cluster: instances spread over nodes, Longhorn volumes, WAL archived by the plugin, managed roles. */
export function renderCluster(o: PostgresOptions): Obj {
  const problems = validatePostgresOptions(o);
  if (problems.length > 0) throw new Error(`postgres ${o.name}: ${problems.join("; ")}`);
  const storageClass = o.storageClass ?? "longhorn";
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o) },
    spec: {
      instances: o.instances,
      imageName: imageRef(IMAGES.postgres),
      enableSuperuserAccess: false,
      storage: { size: o.storageSize, storageClass },
      ...(o.walStorageSize ? { walStorage: { size: o.walStorageSize, storageClass } } : {}),
      resources: o.resources,
      postgresql: { parameters: { ...o.parameters } },
      affinity: {
        enablePodAntiAffinity: true,
        topologyKey: "kubernetes.io/hostname",
        podAntiAffinityType: "preferred",
      },
      monitoring: { enablePodMonitor: o.podMonitor ?? false },
      plugins: [
        {
          name: BARMAN_PLUGIN,
          isWALArchiver: true,
          parameters: {
            barmanObjectName: objectStoreName(o.name),
            ...(o.archiveServerName && o.archiveServerName !== o.name
              ? { serverName: o.archiveServerName }
              : {}),
          },
        },
      ],
      ...(o.recovery
        ? recoveryBootstrap(objectStoreName(o.name), o.recovery.fromServerName, o.recovery.targetTime)
        : {}),
      managed: {
        roles: o.consumers.map((c) => ({
          name: c,
          ensure: "present",
          login: true,
          passwordSecret: { name: roleSecretName(o.name, c) },
        })),
      },
    },
  };
}

/** `bootstrap.recovery` from an archive read through an ObjectStore, and its external cluster. */
function recoveryBootstrap(objectStore: string, serverName: string, targetTime?: string): Obj {
  return {
    bootstrap: {
      recovery: { source: "origin", ...(targetTime ? { recoveryTarget: { targetTime } } : {}) },
    },
    externalClusters: [
      {
        name: "origin",
        plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: objectStore, serverName } },
      },
    ],
  };
}

/** A daily base backup through the plugin. */
export function renderScheduledBackup(o: PostgresOptions): Obj {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: { name: `${o.name}-daily`, namespace: o.namespace, labels: labels(o) },
    spec: {
      schedule: o.backup.schedule,
      immediate: true,
      backupOwnerReference: "self",
      cluster: { name: o.name },
      method: "plugin",
      pluginConfiguration: { name: BARMAN_PLUGIN },
    },
  };
}

/** One Database per consumer, owned by its role. */
export function renderDatabases(o: PostgresOptions): Obj[] {
  return o.consumers.map((c) => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Database",
    metadata: { name: `${o.name}-${c.replace(/_/g, "-")}`, namespace: o.namespace, labels: labels(o) },
    spec: { name: c, owner: c, ensure: "present", cluster: { name: o.name } },
  }));
}

/** Options of a restore drill's recovery cluster. */
export interface RecoveryOptions {
  /** The drill cluster's name, e.g. `postgres-drill-20261122t1200`. */
  readonly name: string;
  /** The production cluster whose archive it recovers (its ObjectStore). */
  readonly source: string;
  /** The archive's server name. @default the source's name */
  readonly serverName?: string;
  /** Point-in-time target (RFC 3339); latest when omitted. */
  readonly targetTime?: string;
}

/**
 * A throwaway Cluster that recovers `source` from its R2 archive, rendered by {@link renderCluster}
 * with the source's options. It has no WAL archiver and no managed roles: it reads the production
 * archive through the source's ObjectStore and can never write into it (nor anywhere else).
 */
export function renderRecoveryCluster(o: PostgresOptions, r: RecoveryOptions): Obj {
  const base = renderCluster({ ...o, name: r.name, instances: 1, consumers: [] }) as {
    metadata: Obj;
    spec: Obj;
  };
  const { plugins: _plugins, managed: _managed, bootstrap: _b, externalClusters: _e, ...spec } = base.spec;
  return {
    ...base,
    metadata: {
      ...base.metadata,
      labels: { ...(base.metadata.labels as Obj), "enclii.dev/restore-drill": r.source },
    },
    spec: {
      ...spec,
      ...recoveryBootstrap(objectStoreName(r.source), r.serverName ?? r.source, r.targetTime),
    },
  };
}

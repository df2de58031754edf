/**
 * Composes storage and data from the stack config: cert-manager, Longhorn, the CloudNativePG
 * operator and plugin, the shared PostgreSQL cluster and Redis.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CnpgOperator } from "../components/data/cnpg-operator";
import { DataNetwork } from "../components/data/network";
import { Postgres } from "../components/data/postgres";
import type { PostgresOptions } from "../components/data/postgres-manifests";
import { Redis } from "../components/data/redis";
import type { R2Buckets } from "../components/edge/r2-buckets";
import { CertManager } from "../components/storage/cert-manager";
import { Longhorn } from "../components/storage/longhorn";
import type { StackConfig } from "./config";

/** Namespaces whose pods use the shared PostgreSQL and Redis (Janua and the control plane). */
export const DATA_CLIENT_NAMESPACES = ["janua", "enclii"];

/** The platform's own database consumers; tenants with dedicated auth get their own cluster. */
export const PLATFORM_DATABASES = ["enclii", "janua"];

/** A cluster's archive and, when `postgres.recovery` names it, how it is recovered. */
export function clusterArchive(
  config: StackConfig,
  cluster: string,
): Pick<PostgresOptions, "archiveServerName" | "recovery"> {
  const r = config.postgres.recovery[cluster];
  if (!r) return {};
  return {
    archiveServerName: r.archiveServerName,
    recovery: { fromServerName: r.fromServerName, ...(r.targetTime ? { targetTime: r.targetTime } : {}) },
  };
}

/** The shared PostgreSQL cluster as the config shapes it (the program and the restore drill). */
export function sharedPostgresSpec(config: StackConfig) {
  return {
    ...clusterArchive(config, "postgres"),
    name: "postgres",
    namespaceName: "data",
    instances: config.postgres.instances,
    storageSize: config.postgres.storageSize,
    walStorageSize: config.postgres.walStorageSize,
    resources: config.postgres.resources,
    parameters: config.postgres.parameters,
  };
}

/** The namespaces of the tenants' dedicated Janua (each holds its own PostgreSQL and Redis). */
export function dedicatedJanuaNamespaces(config: StackConfig): string[] {
  return config.tenants.filter((t) => t.auth === "dedicated").map((t) => `janua-${t.slug}`);
}

/** Every CloudNativePG cluster of the stack: the shared one and one per tenant with dedicated auth. */
export function postgresClusterNames(config: StackConfig): string[] {
  // A dedicated cluster is named after its namespace.
  return [sharedPostgresSpec(config).name, ...dedicatedJanuaNamespaces(config)];
}

/** The archive (`cnpg/<serverName>/`) each cluster writes to now. */
export function postgresArchives(config: StackConfig): { cluster: string; serverName: string }[] {
  return postgresClusterNames(config).map((cluster) => ({
    cluster,
    serverName: clusterArchive(config, cluster).archiveServerName ?? cluster,
  }));
}

/** Builds storage and the shared data services. */
export function buildData(
  config: StackConfig,
  options: { provider: k8s.Provider; namespaces: Record<string, pulumi.Output<string>>; r2: R2Buckets },
) {
  const { provider, namespaces, r2 } = options;
  const ns = (name: string) => namespaces[name] as pulumi.Output<string>;
  const monitoringNamespace = config.monitoring.enabled ? "monitoring" : undefined;
  const serviceCidr = config.k3s.serviceCidr;
  const certManager = new CertManager("cert-manager", {
    provider,
    namespace: ns("cert-manager"),
    serviceCidr,
    monitoringNamespace,
  });
  const longhorn = new Longhorn("longhorn", {
    provider,
    namespace: ns("longhorn-system"),
    storageNodes: Math.max(1, config.nodes.filter((n) => n.storage).length),
    replicaCount: config.storage.replicaCount,
    backup: r2.credentials.longhorn,
    snapshot: config.storage.snapshot,
    backupJob: config.storage.backup,
    serviceCidr,
    monitoringNamespace,
  });
  const cnpg = new CnpgOperator("cnpg", {
    provider,
    namespace: ns("cnpg-system"),
    certManager: certManager.ready,
    serviceCidr,
    // Every namespace holding a CloudNativePG cluster: the shared one and each dedicated Janua's.
    clusterNamespaces: ["data", ...dedicatedJanuaNamespaces(config)],
  });
  const postgres = new Postgres("postgres", {
    provider,
    ...sharedPostgresSpec(config),
    namespace: ns("data"),
    consumers: PLATFORM_DATABASES,
    r2: r2.credentials.cnpg,
    retention: config.postgres.retention,
    schedule: config.postgres.backupSchedule,
    dependsOn: [cnpg.operator, cnpg.plugin, longhorn.chart],
    protect: config.protect,
  });
  const redis = new Redis("redis", {
    provider,
    namespace: ns("data"),
    namespaceName: "data",
    mode: config.redis.mode,
    nodeCount: config.nodes.length,
    storageSize: config.redis.storageSize,
    maxMemory: config.redis.maxMemory,
    maxMemoryPolicy: config.redis.maxMemoryPolicy,
    resources: config.redis.resources,
    dependsOn: [longhorn.chart],
    protect: config.protect,
    exporter: config.monitoring.enabled,
  });
  new DataNetwork("data", {
    provider,
    namespace: "data",
    namespaceRef: ns("data"),
    clientNamespaces: DATA_CLIENT_NAMESPACES,
    serviceCidr,
    monitoringNamespace,
  });
  return { postgres, redis, longhorn, cnpg, certManager };
}

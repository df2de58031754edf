/**
 * Which PostgreSQL cluster a restore drill recovers, with the options the program gives it:
 * `postgres` (shared, namespace `data`, sized by `postgres.*`) or `janua-<slug>` (a tenant's
 * dedicated Janua). Rendering goes through the same manifest functions as the Postgres component.
 */
import { DEDICATED_POSTGRES } from "../../components/auth/dedicated-janua";
import { type PostgresOptions, renderRecoveryCluster } from "../../components/data/postgres-manifests";
import type { StackConfig } from "../../stacks/config";
import { clusterArchive, postgresClusterNames, sharedPostgresSpec } from "../../stacks/data";

/** The source cluster's options, or an error naming the clusters that exist. */
export function drillSource(config: StackConfig, cluster: string): PostgresOptions {
  const backup = {
    bucket: "unused-by-recovery",
    endpoint: "https://unused.invalid",
    credentialsSecret: "unused",
    retention: "30d",
    schedule: "0 0 3 * * *",
  };
  if (cluster === "postgres") {
    const { namespaceName, walStorageSize, ...spec } = sharedPostgresSpec(config);
    return {
      ...spec,
      namespace: namespaceName,
      ...(walStorageSize ? { walStorageSize } : {}),
      instances: 1,
      consumers: [],
      backup,
    };
  }
  const clusters = postgresClusterNames(config);
  if (clusters.includes(cluster)) {
    return {
      name: cluster,
      namespace: cluster,
      ...clusterArchive(config, cluster),
      ...DEDICATED_POSTGRES,
      resources: {
        requests: { ...DEDICATED_POSTGRES.resources.requests },
        limits: { ...DEDICATED_POSTGRES.resources.limits },
      },
      consumers: [],
      backup,
    };
  }
  throw new Error(
    `--cluster ${cluster}: no such PostgreSQL cluster in this stack; use one of ${clusters.join(", ")}`,
  );
}

/** The drill cluster's manifest: `<source>-drill-<yyyymmddthhmm>` in the source's namespace. */
export function drillManifest(
  source: PostgresOptions,
  at: Date,
  targetTime?: string,
): Record<string, unknown> {
  const stamp = at.toISOString().replace(/[-:]/g, "").slice(0, 13).toLowerCase();
  return renderRecoveryCluster(source, {
    name: `${source.name}-drill-${stamp}`,
    source: source.name,
    // The archive the source writes to now (a recovered cluster writes to a new one).
    serverName: source.archiveServerName ?? source.name,
    ...(targetTime ? { targetTime } : {}),
  });
}

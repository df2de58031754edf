/**
 * Which PostgreSQL cluster a restore drill recovers, with the options the program gives it:
 * `postgres` (shared, namespace `data`, sized by `postgres.*`) or `janua-<slug>` (a tenant's
 * dedicated Janua). Rendering goes through the same manifest functions as the Postgres component.
 */
import { DEDICATED_POSTGRES } from "../../components/auth/dedicated-janua";
import { type PostgresOptions, renderRecoveryCluster } from "../../components/data/postgres-manifests";
import type { StackConfig } from "../../stacks/config";

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
    return {
      name: "postgres",
      namespace: "data",
      instances: 1,
      storageSize: config.postgres.storageSize,
      ...(config.postgres.walStorageSize ? { walStorageSize: config.postgres.walStorageSize } : {}),
      resources: config.postgres.resources,
      parameters: config.postgres.parameters,
      consumers: [],
      backup,
    };
  }
  const dedicated = config.tenants.filter((t) => t.auth === "dedicated").map((t) => `janua-${t.slug}`);
  if (dedicated.includes(cluster)) {
    return {
      name: cluster,
      namespace: cluster,
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
    `--cluster ${cluster}: no such PostgreSQL cluster in this stack; use one of ${["postgres", ...dedicated].join(", ")}`,
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
    ...(targetTime ? { targetTime } : {}),
  });
}

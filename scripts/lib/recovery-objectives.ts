/**
 * The recovery point and recovery time objectives after losing the only server, derived from the
 * stack's configuration (docs/backups.md carries the production table between generated markers;
 * a test keeps it current). Pure. Every number says where it comes from; the recovery times are
 * estimates under the stated assumptions, and the restore drill measures PostgreSQL's for real.
 */
import { join } from "node:path";
import { parseStackConfig, type StackConfig } from "../../stacks/config";
import { readProjectName, readStackFile } from "./stack-file";

/**
 * CloudNativePG's fixed `archive_timeout` (cloudnative-pg v1.30.0 pkg/postgres/configuration.go
 * 562): a WAL segment with any write is switched and archived at least this often.
 */
export const CNPG_ARCHIVE_TIMEOUT_MINUTES = 5;

/** One row of the table. */
export interface RecoveryObjective {
  readonly what: string;
  readonly rpo: string;
  readonly rto: string;
  /** The settings and facts the numbers come from, and what they assume. */
  readonly basis: string;
}

/**
 * Hours between runs of a cron expression (five fields, or CloudNativePG's six with seconds) for
 * the shapes the stacks use: a fixed time daily (`m h * * *`) or every N hours (`m *\/N * * *`).
 * Undefined for anything else (the table then quotes the expression).
 */
export function cronIntervalHours(cron: string): number | undefined {
  const fields = cron.trim().split(/\s+/);
  const [minute, hour, dom, month, dow] = fields.length === 6 ? fields.slice(1) : fields;
  if (fields.length < 5 || fields.length > 6 || dom !== "*" || month !== "*" || dow !== "*") return undefined;
  if (!/^\d+$/.test(minute ?? "")) return undefined;
  if (/^\d+$/.test(hour ?? "")) return 24;
  const every = /^\*\/(\d+)$/.exec(hour ?? "");
  if (every) return Number(every[1]);
  if (hour === "*") return 1;
  return undefined;
}

const every = (cron: string) => {
  const h = cronIntervalHours(cron);
  return h === undefined ? `\`${cron}\`` : h === 24 ? "24 h" : `${h} h`;
};

/** The rows for one stack. */
export function recoveryObjectives(config: StackConfig): RecoveryObjective[] {
  const pg = config.postgres;
  const f = config.monitoring.backupFreshness;
  const base = every(pg.backupSchedule);
  const longhorn = every(config.storage.backup.cron);
  const etcd = every(config.k3s.etcdSnapshots.schedule);
  const dedicated = config.nodes.some((n) => n.kind === "dedicated");
  return [
    {
      what: "PostgreSQL (every CloudNativePG cluster)",
      rpo: `≤ ${CNPG_ARCHIVE_TIMEOUT_MINUTES} min of committed transactions while archiving works; up to ${f.walMinutes} min before PostgresWalArchivingStalled/backup:check say it does not`,
      rto: `the node (below) + recovery: download the newest base backup (${pg.storageSize} volume) and replay up to ${base} of WAL; measured by \`npm run restore:drill\``,
      basis: `WAL archived continuously to R2, \`archive_timeout\` ${CNPG_ARCHIVE_TIMEOUT_MINUTES} min (CNPG fixed parameter); base backups \`postgres.backupSchedule\` (\`${pg.backupSchedule}\`, every ${base}); assumes the archiver was healthy when the node died (the WAL not yet switched is lost)`,
    },
    {
      what: "Volumes backed up by Longhorn (Redis data)",
      rpo: `≤ ${longhorn} (+ the backup's duration)`,
      rto: "the node + per volume: restore the latest backup, recreate PV/PVC (about 15-30 min by hand for a few GiB)",
      basis: `\`storage.backup.cron\` (\`${config.storage.backup.cron}\`, every ${longhorn}); local snapshots (\`storage.snapshot.cron\`) die with the node; Redis is a cache and session store, PostgreSQL is the record`,
    },
    {
      what: "Cluster state (etcd: every Kubernetes object)",
      rpo: `≤ ${etcd} of object changes; what \`pulumi up\` manages is re-applied, so the loss is what others created since (tenant deployments by the control plane)`,
      rto: "the node + about 15 min: replace the bootstrap commands, `--cluster-reset` from the newest snapshot, `pulumi up --refresh`",
      basis: `\`k3s.etcdSnapshots.schedule\` (\`${config.k3s.etcdSnapshots.schedule}\`, every ${etcd}), uploaded to R2; needs the original join token from Pulumi's state`,
    },
    {
      what: "The node itself (only server)",
      rpo: "nothing of its own (everything above is copied off it)",
      rto: dedicated
        ? "hours: a dedicated server is reinstalled (Robot rescue + installimage) or ordered; then the rows above in order (docs/runbooks/lost-node.md)"
        : "about 10 min for an hcloud server created by `pulumi up`; then the rows above in order (docs/runbooks/lost-node.md)",
      basis: `nodes: ${config.nodes.map((n) => `${n.name} (${n.kind})`).join(", ") || "an existing cluster"}; with one server there is no failover, every row waits for it`,
    },
  ];
}

/** The rows as a Markdown table. */
export function renderRecoveryTable(rows: readonly RecoveryObjective[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return [
    "| what | recovery point (data lost) | recovery time | from |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.rpo)} | ${cell(r.rto)} | ${cell(r.basis)} |`),
  ].join("\n");
}

/** The table for the committed production stack (docs/backups.md). */
export function productionRecoveryTable(root: string): string {
  const file = readStackFile(
    join(root, "Pulumi.production.yaml"),
    readProjectName(join(root, "Pulumi.yaml")),
  );
  return renderRecoveryTable(
    recoveryObjectives(parseStackConfig(file.config, "production", { checkSecrets: false })),
  );
}

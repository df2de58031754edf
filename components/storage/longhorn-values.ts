/**
 * Longhorn's chart values and recurring jobs as typed, pure data.
 */
import { commonLabels } from "../shared/labels";

/** The Secret Longhorn reads R2 credentials from. */
export const LONGHORN_BACKUP_SECRET = "longhorn-backup-credentials";

/** Typed values of the Longhorn chart (only what this platform sets). */
export interface LonghornValues {
  readonly persistence: {
    readonly defaultClass: boolean;
    readonly defaultClassReplicaCount: number;
    readonly defaultFsType: "ext4" | "xfs";
    readonly reclaimPolicy: "Retain" | "Delete";
  };
  readonly defaultSettings: {
    readonly defaultReplicaCount: number;
    readonly replicaSoftAntiAffinity: boolean;
    readonly storageMinimalAvailablePercentage: number;
    readonly nodeDownPodDeletionPolicy: string;
  };
  readonly defaultBackupStore: {
    readonly backupTarget: string;
    readonly backupTargetCredentialSecret: string;
  };
  readonly preUpgradeChecker: { readonly jobEnabled: boolean };
  /** The manager container's requests and limits (chart/templates/daemonset-sa.yaml 110-112). */
  readonly longhornManager: { readonly resources: object };
  /** The chart's policies (chart/templates/network-policies/*, see ./longhorn-network.ts). */
  readonly networkPolicies: {
    readonly enabled: boolean;
    readonly type: "k3s" | "rke2" | "rke1";
    readonly restrictInternalTraffic: boolean;
    readonly kubeAPIServerSourceCIDRs: readonly string[];
  };
  readonly ingress: { readonly enabled: boolean };
  readonly service: { readonly ui: { readonly type: "ClusterIP" } };
}

/** Options of the values. */
export interface LonghornOptions {
  /** Nodes that may hold replicas. */
  readonly storageNodes: number;
  /** Replicas per volume; at most min(3, storageNodes). */
  readonly replicaCount: number;
  readonly backupBucket: string;
}

/** The backup target in Longhorn's S3 form: `s3://<bucket>@<region>/<path>/`. */
export function longhornBackupTarget(bucket: string): string {
  return `s3://${bucket}@auto/longhorn/`;
}

/** The chart values. @throws when the replica count cannot be placed */
export function longhornValues(o: LonghornOptions): LonghornValues {
  if (o.replicaCount < 1 || o.replicaCount > Math.min(3, o.storageNodes)) {
    throw new Error(
      `longhorn: replicaCount ${o.replicaCount} must be between 1 and min(3, storage nodes = ${o.storageNodes})`,
    );
  }
  return {
    persistence: {
      defaultClass: true,
      defaultClassReplicaCount: o.replicaCount,
      defaultFsType: "ext4",
      reclaimPolicy: "Retain",
    },
    defaultSettings: {
      defaultReplicaCount: o.replicaCount,
      // With fewer storage nodes than replicas, volumes would stay degraded; soft anti-affinity lets them settle.
      replicaSoftAntiAffinity: o.storageNodes < 3,
      storageMinimalAvailablePercentage: 15,
      nodeDownPodDeletionPolicy: "delete-both-statefulset-and-deployment-pod",
    },
    defaultBackupStore: {
      backupTarget: longhornBackupTarget(o.backupBucket),
      backupTargetCredentialSecret: LONGHORN_BACKUP_SECRET,
    },
    // A pre-upgrade Helm hook: helm.v4.Chart never runs hooks (components/shared/chart.ts), so off.
    preUpgradeChecker: { jobEnabled: false },
    // longhorn v1.12.1 values.yaml line 509 `resources: ~`: unset unless given. Within the capacity
    // model's per-node Longhorn share (components/cost/capacity.ts CHART_REQUESTS).
    longhornManager: {
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    // longhorn/longhorn v1.12.1 chart/values.yaml 35-43. `restrictInternalTraffic` renders the
    // Ingress policies between Longhorn's own pods (manager, instance managers, backing images,
    // recovery backend, webhook); `enabled` + `type` only add the UI policy for k3s's Traefik when
    // `ingress.enabled` (ui-frontend-network-policy.yaml), which stays off. No
    // kubeAPIServerSourceCIDRs: the API server calls the webhook from the node address, or from the
    // node's flannel address when the manager runs on another node, so the webhook's 9501/9502 stay
    // open to any source. What the chart leaves out is in ./longhorn-network.ts.
    networkPolicies: {
      enabled: true,
      type: "k3s",
      restrictInternalTraffic: true,
      kubeAPIServerSourceCIDRs: [],
    },
    ingress: { enabled: false },
    service: { ui: { type: "ClusterIP" } },
  };
}

/**
 * The one Longhorn recurring-job group the snapshot and backup jobs run for. Not `default`:
 * Longhorn puts every volume that has no recurring-job label into `default` ("Longhorn will
 * automatically add a volume to the `default` group when the volume has no recurring job",
 * longhorn/website content/docs/<1.x>/snapshots-and-backups/scheduling-backups-and-snapshots.md),
 * so jobs in `default` would back up the CNPG volumes (backed up by barman-cloud, and a block copy
 * of a running PostgreSQL is not a consistent backup) and Prometheus (disposable) as well.
 */
export const LONGHORN_BACKUP_GROUP = "volume-backup";

/**
 * Labels that put a PVC's volume into {@link LONGHORN_BACKUP_GROUP}. A volume joins a group by the
 * label `recurring-job-group.longhorn.io/<group>: enabled`; on a PVC it takes effect only with
 * `recurring-job.longhorn.io/source: enabled`, which makes Longhorn sync the PVC's recurring-job
 * labels onto its volume (same page, "With PersistentVolumeClaim"; longhorn/longhorn
 * enhancements "Set RecurringJob to PersistentVolumeClaims", issue #5791).
 */
export const LONGHORN_BACKUP_LABELS: Readonly<Record<string, string>> = {
  "recurring-job.longhorn.io/source": "enabled",
  [`recurring-job-group.longhorn.io/${LONGHORN_BACKUP_GROUP}`]: "enabled",
};

/**
 * Daily snapshot and backup RecurringJobs for the volumes that carry {@link LONGHORN_BACKUP_LABELS}
 * (group {@link LONGHORN_BACKUP_GROUP}), never for every volume.
 */
export function renderRecurringJobs(
  namespace: string,
  o: { snapshot: { cron: string; retain: number }; backup: { cron: string; retain: number } },
): Record<string, unknown>[] {
  const labels = commonLabels({ name: "longhorn", component: "recurring-job" });
  return [
    { name: "daily-snapshot", task: "snapshot", ...o.snapshot },
    { name: "daily-backup", task: "backup", ...o.backup },
  ].map((job) => ({
    apiVersion: "longhorn.io/v1beta2",
    kind: "RecurringJob",
    metadata: { name: job.name, namespace, labels },
    spec: {
      name: job.name,
      task: job.task,
      cron: job.cron,
      retain: job.retain,
      concurrency: 1,
      groups: [LONGHORN_BACKUP_GROUP],
      labels: {},
    },
  }));
}

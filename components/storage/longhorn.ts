/**
 * `enclii:storage:Longhorn`: Longhorn (pinned chart) as the default StorageClass, replicas
 * derived from the storage nodes, backups to R2 (`s3://<bucket>@auto/longhorn/`) and daily
 * snapshot and backup RecurringJobs. Its namespace is the platform's only `privileged`
 * exemption besides the upgrade jobs and node-exporter (see components/k3s/platform-namespaces.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { S3Credentials } from "../edge/r2-buckets";
import { installChart } from "../shared/chart";
import { createObjects } from "../shared/objects";
import { CHARTS } from "../versions";
import { renderLonghornNetworkPolicies } from "./longhorn-network";
import { LONGHORN_BACKUP_SECRET, longhornValues, renderRecurringJobs } from "./longhorn-values";

/** Arguments of {@link Longhorn}. */
export interface LonghornArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
  readonly storageNodes: number;
  readonly replicaCount: number;
  /** The R2 `longhorn` consumer. */
  readonly backup: S3Credentials;
  readonly snapshot: { readonly cron: string; readonly retain: number };
  readonly backupJob: { readonly cron: string; readonly retain: number };
  /** The cluster's Service CIDR (API server egress). */
  readonly serviceCidr: string;
  /** Where Prometheus runs (scrapes the manager); undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

/** Longhorn. */
export class Longhorn extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  /** Name of the default StorageClass. */
  public readonly storageClass = "longhorn";

  constructor(name: string, args: LonghornArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:storage:Longhorn", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    const credentials = new k8s.core.v1.Secret(
      `${name}-backup-credentials`,
      {
        metadata: { name: LONGHORN_BACKUP_SECRET, namespace: args.namespace },
        type: "Opaque",
        stringData: {
          AWS_ACCESS_KEY_ID: args.backup.accessKeyId,
          AWS_SECRET_ACCESS_KEY: args.backup.secretAccessKey,
          AWS_ENDPOINTS: args.backup.endpoint,
        },
      },
      base,
    );
    // Beside the chart's own policies (networkPolicies in the values); before the pods start.
    const network = createObjects(
      name,
      renderLonghornNetworkPolicies({
        namespace: "longhorn-system",
        serviceCidr: args.serviceCidr,
        monitoringNamespace: args.monitoringNamespace,
      }),
      base,
      args.namespace,
    );
    this.chart = installChart(
      name,
      CHARTS.longhorn,
      args.namespace,
      longhornValues({
        storageNodes: args.storageNodes,
        replicaCount: args.replicaCount,
        backupBucket: args.backup.bucket,
      }),
      { ...base, dependsOn: [credentials, ...network] },
    );
    createObjects(
      name,
      renderRecurringJobs("longhorn-system", { snapshot: args.snapshot, backup: args.backupJob }),
      { ...base, dependsOn: [this.chart] },
      args.namespace,
    );
    this.registerOutputs({ storageClass: this.storageClass });
  }
}

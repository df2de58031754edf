import type { ResourceValidationPolicy } from "@pulumi/policy";
import { chartOf } from "../lib/chart";

/**
 * Longhorn has a backup target, so volumes are copied off the node. A chart's values exist only
 * in its inputs (a v4 Chart's outputs hold only `resources`; policies/lib/chart.ts), so this is
 * decided when `Analyze` sees the Chart, not in the stack view.
 */
export const longhornChartRequireBackupTarget: ResourceValidationPolicy = {
  name: "longhorn-chart-require-backup-target",
  description: "The Longhorn chart is installed with a default backup target (R2).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Install Longhorn with enclii:storage:Longhorn, which sets defaultBackupStore.backupTarget to R2.",
  validateResource: (args, reportViolation) => {
    const chart = chartOf(args);
    if (chart?.chart !== "longhorn") return;
    const target = chart.values.defaultBackupStore?.backupTarget;
    if (typeof target !== "string" || !target.startsWith("s3://")) {
      reportViolation("the Longhorn chart has no S3 backup target (defaultBackupStore.backupTarget)");
    }
  },
};

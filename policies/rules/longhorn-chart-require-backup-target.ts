import type { StackValidationPolicy } from "@pulumi/policy";

/** Longhorn has a backup target, so volumes are copied off the node. */
export const longhornChartRequireBackupTarget: StackValidationPolicy = {
  name: "longhorn-chart-require-backup-target",
  description: "The Longhorn chart is installed with a default backup target (R2).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Install Longhorn with enclii:storage:Longhorn, which sets defaultBackupStore.backupTarget to R2.",
  validateStack: (args, reportViolation) => {
    for (const r of args.resources) {
      if (!r.type.startsWith("kubernetes:helm.sh/") || r.props.chart !== "longhorn") continue;
      const target = r.props.values?.defaultBackupStore?.backupTarget;
      if (typeof target !== "string" || !target.startsWith("s3://")) {
        reportViolation(
          "the Longhorn chart has no S3 backup target (defaultBackupStore.backupTarget)",
          r.urn,
        );
      }
    }
  },
};

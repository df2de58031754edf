import type { StackValidationPolicy } from "@pulumi/policy";
import { kubernetesObjects } from "../lib/stack";

/** Every PostgreSQL cluster archives to an ObjectStore and has a scheduled base backup. */
export const cnpgClusterRequireBackups: StackValidationPolicy = {
  name: "cnpg-cluster-require-backups",
  description:
    "Every CloudNativePG Cluster has a barman-cloud ObjectStore as WAL archiver and a ScheduledBackup.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Create clusters with enclii:data:Postgres, which adds the ObjectStore and the daily ScheduledBackup.",
  validateStack: (args, reportViolation) => {
    const objects = kubernetesObjects(args.resources);
    const stores = new Set(
      objects
        .filter((o) => o.props.kind === "ObjectStore")
        .map((o) => `${o.props.metadata?.namespace}/${o.props.metadata?.name}`),
    );
    const scheduled = new Set(
      objects
        .filter((o) => o.props.kind === "ScheduledBackup")
        .map((o) => `${o.props.metadata?.namespace}/${o.props.spec?.cluster?.name}`),
    );
    for (const { resource, props } of objects) {
      if (props.kind !== "Cluster" || !String(props.apiVersion).startsWith("postgresql.cnpg.io/")) continue;
      const ns = props.metadata?.namespace;
      const archiver = (props.spec?.plugins ?? []).find((p: { isWALArchiver?: boolean }) => p.isWALArchiver);
      const store = archiver?.parameters?.barmanObjectName;
      if (!store || !stores.has(`${ns}/${store}`))
        reportViolation(
          `CNPG cluster ${ns}/${props.metadata?.name} has no ObjectStore archiving its WAL`,
          resource.urn,
        );
      if (!scheduled.has(`${ns}/${props.metadata?.name}`))
        reportViolation(`CNPG cluster ${ns}/${props.metadata?.name} has no ScheduledBackup`, resource.urn);
    }
  },
};

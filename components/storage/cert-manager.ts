/**
 * `enclii:storage:CertManager`: cert-manager (pinned chart), needed by the CloudNativePG
 * barman-cloud plugin for its webhook and plugin certificates.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../shared/chart";
import { CHARTS } from "../versions";

/** Typed values of the cert-manager chart (only what this platform sets). */
export interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: { readonly enabled: boolean };
  readonly prometheus: { readonly enabled: boolean };
  readonly resources: object;
}

/** The chart values. */
export function certManagerValues(): CertManagerValues {
  return {
    crds: { enabled: true, keep: true },
    replicaCount: 1,
    podDisruptionBudget: { enabled: false },
    prometheus: { enabled: true },
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
  };
}

/** Arguments of {@link CertManager}. */
export interface CertManagerArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
}

/** cert-manager. */
export class CertManager extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:storage:CertManager", name, {}, opts);
    this.chart = installChart(name, CHARTS.certManager, args.namespace, certManagerValues(), {
      parent: this,
      provider: args.provider,
    });
    this.registerOutputs({});
  }
}

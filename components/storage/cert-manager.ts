/**
 * `enclii:storage:CertManager`: cert-manager (pinned chart), needed by the CloudNativePG
 * barman-cloud plugin for its webhook and plugin certificates and by kube-prometheus-stack for its
 * admission webhook's. {@link CertManager.ready} is the API readiness gate (./cert-manager-check.ts):
 * whatever creates a Certificate, Issuer or ClusterIssuer depends on it, not on the chart.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../shared/chart";
import { createObjects } from "../shared/objects";
import { CHARTS } from "../versions";
import { createCertManagerCheck } from "./cert-manager-check";
import { renderCertManagerNetworkPolicies } from "./cert-manager-network";

/** Typed values of the cert-manager chart (only what this platform sets). */
export interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: { readonly enabled: boolean };
  readonly prometheus: { readonly enabled: boolean };
  /** The controller's requests and limits. */
  readonly resources: object;
  /**
   * The webhook's and cainjector's: each component has its own `resources: {}` in the chart
   * (cert-manager v1.20.2 values.yaml lines 929 and 1335), so the top-level one leaves them unset.
   */
  readonly webhook: { readonly resources: object };
  readonly cainjector: { readonly resources: object };
  /** The chart's check is a post-install hook, which helm.v4.Chart never applies: off, see ./cert-manager-check.ts. */
  readonly startupapicheck: { readonly enabled: boolean };
}

/** The chart values. */
export function certManagerValues(): CertManagerValues {
  return {
    crds: { enabled: true, keep: true },
    replicaCount: 1,
    podDisruptionBudget: { enabled: false },
    prometheus: { enabled: true },
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    webhook: {
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
    },
    cainjector: {
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "256Mi" } },
    },
    startupapicheck: { enabled: false },
  };
}

/** Arguments of {@link CertManager}. */
export interface CertManagerArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
  /** Its name (the gate's Role is namespaced). @default "cert-manager" */
  readonly namespaceName?: string;
  /** The cluster's Service CIDR (API server egress of the namespace's pods). */
  readonly serviceCidr: string;
  /** Where Prometheus runs (scrapes the controller); undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

/** cert-manager. */
export class CertManager extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  /** The readiness gate: a Job that completes once the API accepts a CertificateRequest (dry run). */
  public readonly ready: pulumi.CustomResource;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:storage:CertManager", name, {}, opts);
    const namespaceName = args.namespaceName ?? "cert-manager";
    // The allows exist before the pods, beside the namespace's default deny.
    const network = createObjects(
      name,
      renderCertManagerNetworkPolicies({
        namespace: namespaceName,
        serviceCidr: args.serviceCidr,
        monitoringNamespace: args.monitoringNamespace,
      }),
      { parent: this, provider: args.provider },
      args.namespace,
    );
    this.chart = installChart(name, CHARTS.certManager, args.namespace, certManagerValues(), {
      parent: this,
      provider: args.provider,
      dependsOn: network,
    });
    this.ready = createCertManagerCheck(name, namespaceName, args.namespace, {
      parent: this,
      provider: args.provider,
      dependsOn: [this.chart],
    });
    this.registerOutputs({});
  }
}

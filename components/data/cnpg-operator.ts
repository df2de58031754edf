/**
 * `enclii:data:CnpgOperator`: the CloudNativePG operator and the barman-cloud plugin (pinned
 * charts) in `cnpg-system`. The plugin needs cert-manager for its certificates.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../shared/chart";
import { createObjects } from "../shared/objects";
import { CHARTS } from "../versions";
import { renderCnpgNetworkPolicies } from "./cnpg-network";

/** Typed values of the cloudnative-pg chart (only what this platform sets). */
export interface CnpgOperatorValues {
  readonly crds: { readonly create: boolean };
  readonly config: { readonly clusterWide: boolean };
  readonly monitoring: { readonly podMonitorEnabled: boolean };
  readonly resources: object;
}

/** Typed values of the plugin-barman-cloud chart. */
export interface BarmanPluginValues {
  readonly crds: { readonly create: boolean };
  readonly resources: object;
}

/** The operator chart values. */
export function cnpgOperatorValues(): CnpgOperatorValues {
  return {
    crds: { create: true },
    config: { clusterWide: true },
    monitoring: { podMonitorEnabled: false },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  };
}

/** The plugin chart values. */
export function barmanPluginValues(): BarmanPluginValues {
  return {
    crds: { create: true },
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
  };
}

/** Arguments of {@link CnpgOperator}. */
export interface CnpgOperatorArgs {
  readonly provider: k8s.Provider;
  /** `cnpg-system`. */
  readonly namespace: pulumi.Input<string>;
  /** cert-manager's readiness gate (CertManager.ready): the plugin's chart creates an Issuer and Certificates. */
  readonly certManager: pulumi.Resource;
  /** Its name. @default "cnpg-system" */
  readonly namespaceName?: string;
  /** The cluster's Service CIDR (API server egress). */
  readonly serviceCidr: string;
  /** Namespaces holding CloudNativePG clusters: the operator calls their instances' status port. */
  readonly clusterNamespaces: readonly string[];
}

/** The operator and its backup plugin. */
export class CnpgOperator extends pulumi.ComponentResource {
  public readonly operator: k8s.helm.v4.Chart;
  public readonly plugin: k8s.helm.v4.Chart;

  constructor(name: string, args: CnpgOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:data:CnpgOperator", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    // The allows exist before the pods, beside the namespace's default deny.
    const network = createObjects(
      name,
      renderCnpgNetworkPolicies({
        namespace: args.namespaceName ?? "cnpg-system",
        serviceCidr: args.serviceCidr,
        clusterNamespaces: args.clusterNamespaces,
      }),
      base,
      args.namespace,
    );
    this.operator = installChart(
      `${name}-operator`,
      CHARTS.cloudnativePg,
      args.namespace,
      cnpgOperatorValues(),
      { ...base, dependsOn: network },
    );
    this.plugin = installChart(
      `${name}-barman-cloud`,
      CHARTS.barmanCloudPlugin,
      args.namespace,
      barmanPluginValues(),
      {
        ...base,
        dependsOn: [this.operator, args.certManager, ...network],
      },
    );
    this.registerOutputs({});
  }
}

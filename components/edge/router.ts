/**
 * `enclii:edge:Router`: the one Gateway API router behind the tunnel (docs/router.md). The Gateway
 * API standard-channel CRDs, Traefik from its pinned chart with only the Gateway provider, the
 * GatewayClass and the one Gateway, the `router` namespace's allows, and the admission policy that
 * limits each namespace's HTTPRoutes to its own hostnames (components/tenancy/hostname-admission.ts).
 * cloudflared sends every hostname it does not route itself here (the tunnel's catch-all rule).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../shared/chart";
import { createObjects } from "../shared/objects";
import { renderHostnameAdmission } from "../tenancy/hostname-admission";
import { CHARTS, GATEWAY_API_CRDS_URL } from "../versions";
import { renderGateway, renderGatewayClass, renderRouterNetworkPolicies } from "./router-manifests";
import { ROUTER, ROUTER_SERVICE_URL, routerValues } from "./router-values";

/** Arguments of {@link Router}. */
export interface RouterArgs {
  readonly provider: k8s.Provider;
  /** The `router` namespace (an Output that waits for it). */
  readonly namespace: pulumi.Input<string>;
  /** The cluster's pod CIDR (cloudflared's addresses, whose X-Forwarded-For the router keeps). */
  readonly clusterCidr: string;
  /** The cluster's Service CIDR (the router watches the API server). */
  readonly serviceCidr: string;
  /** Router replicas. @default 2 */
  readonly replicas?: number;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

/** The router. */
export class Router extends pulumi.ComponentResource {
  /** The in-cluster URL of the router's Service (the tunnel's catch-all). */
  public readonly serviceUrl: string;
  /**
   * What a tenant's HTTPRoute waits for: the CRDs (so it can be created), the admission policy and
   * its binding (so it is checked when it is), and the Gateway.
   */
  public readonly ready: pulumi.Resource[];
  /** The Traefik chart. */
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: RouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:Router", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    // The standard channel as released (CRDs and upstream's own safe-upgrades admission policy),
    // applied before anything that uses the kinds.
    const crds = new k8s.yaml.v2.ConfigFile(`${name}-gateway-api-crds`, { file: GATEWAY_API_CRDS_URL }, base);
    const admission = createObjects(
      name,
      renderHostnameAdmission({ gateway: { name: ROUTER.gateway, namespace: ROUTER.namespace } }),
      { ...base, dependsOn: [crds] },
    );
    const network = createObjects(
      name,
      renderRouterNetworkPolicies({
        serviceCidr: args.serviceCidr,
        monitoringNamespace: args.monitoringNamespace,
      }),
      base,
      args.namespace,
    );
    this.chart = installChart(
      name,
      CHARTS.traefik,
      args.namespace,
      routerValues({ clusterCidr: args.clusterCidr, replicas: args.replicas }),
      // The chart's crds/ are Traefik's own kinds (IngressRoute, Middleware, Hub's): the CRD
      // provider is off, so they are not installed.
      { ...base, dependsOn: [crds, ...network] },
      { skipCrds: true },
    );
    const gateway = createObjects(
      name,
      [renderGatewayClass(), renderGateway({ serviceCidr: args.serviceCidr })],
      {
        ...base,
        dependsOn: [crds],
      },
      args.namespace,
    );
    this.serviceUrl = ROUTER_SERVICE_URL;
    this.ready = [crds, ...admission, ...gateway];
    this.registerOutputs({ serviceUrl: this.serviceUrl });
  }
}

/**
 * Composes the tenants and the tunnel's route table from the stack config. Routes are data
 * known before any component exists, so the tunnel can be built before what it routes to.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Janua } from "../components/auth/janua";
import { januaRoute } from "../components/auth/janua-manifests";
import { controlPlaneRoutes } from "../components/control-plane/manifests";
import type { TunnelRoute } from "../components/edge/routes";
import { grafanaRoute } from "../components/observability/monitoring";
import { Tenant, tenantRoutes } from "../components/tenancy/tenant";
import type { AuthInputs } from "./auth";
import type { StackConfig } from "./config";
import { clusterArchive, dedicatedJanuaNamespaces } from "./data";

/** Every hostname the platform serves, with its in-cluster service. */
export function platformRoutes(config: StackConfig): TunnelRoute[] {
  return [
    januaRoute(config.janua.hostname, "janua"),
    ...controlPlaneRoutes("enclii", config.controlPlane.apiHostname, config.controlPlane.uiHostname),
    ...config.tenants.flatMap((t) => tenantRoutes(t, config.domain)),
    ...(config.monitoring.enabled ? [grafanaRoute(config.monitoring.grafanaHostname)] : []),
  ];
}

/** One Tenant component per `tenants[]` entry. */
export function buildTenants(
  config: StackConfig,
  inputs: AuthInputs & {
    janua: Janua;
    nodeIps: pulumi.Input<string>[];
    tunnelReady: pulumi.Resource[];
    provider: k8s.Provider;
  },
): Tenant[] {
  return config.tenants.map(
    (t) =>
      new Tenant(`tenant-${t.slug}`, {
        provider: inputs.provider,
        tenant: t,
        domain: config.domain,
        environment: config.environment,
        ranges: {
          clusterCidr: config.k3s.clusterCidr,
          serviceCidr: config.k3s.serviceCidr,
          privateNetworkCidr: config.k3s.privateNetworkCidr,
          nodeIps: config.nodes.flatMap((n) => (n.kind === "dedicated" ? [n.ipv4] : [])),
        },
        sharedJanua: {
          issuer: inputs.janua.issuer,
          connection: inputs.janua.connection,
          deployment: inputs.janua.deployment,
        },
        dedicated: {
          image: inputs.janua.image,
          replicas: config.janua.replicas,
          features: config.janua.features,
          r2: inputs.r2.credentials.cnpg,
          backupRetention: config.postgres.retention,
          backupSchedule: config.postgres.backupSchedule,
          dependsOn: [inputs.cnpg.operator, inputs.cnpg.plugin, inputs.longhorn.chart],
          protect: config.protect,
          monitoringNamespace: config.monitoring.enabled ? "monitoring" : undefined,
          archives: Object.fromEntries(
            dedicatedJanuaNamespaces(config).map((c) => [c, clusterArchive(config, c)]),
          ),
        },
        adminEmail: config.janua.adminEmail,
        tunnelReady: inputs.tunnelReady,
      }),
  );
}

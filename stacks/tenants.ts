/**
 * Composes the tenants and the tunnel's route table from the stack config. Routes are data
 * known before any component exists, so the tunnel can be built before what it routes to.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Janua } from "../components/auth/janua";
import type { AccessServiceTokenArgs } from "../components/auth/janua-resources";
import { januaRoutes } from "../components/auth/janua-routes";
import { controlPlaneRoutes } from "../components/control-plane/manifests";
import type { R2Buckets, S3Credentials } from "../components/edge/r2-buckets";
import { cnpgConsumer } from "../components/edge/r2-plan";
import type { TunnelRoute } from "../components/edge/routes";
import { grafanaRoute } from "../components/observability/monitoring";
import { Tenant, tenantRoutes } from "../components/tenancy/tenant";
import type { AuthInputs } from "./auth";
import type { StackConfig } from "./config";
import { clusterArchive, dedicatedJanuaNamespaces } from "./data";

/** Every hostname the platform serves, with its in-cluster service. */
export function platformRoutes(config: StackConfig): TunnelRoute[] {
  return [
    ...januaRoutes(config.janua.hostname, "janua"),
    ...controlPlaneRoutes("enclii", config.controlPlane.apiHostname, config.controlPlane.uiHostname),
    ...config.tenants.flatMap((t) => tenantRoutes(t, config.domain)),
    ...(config.monitoring.enabled ? [grafanaRoute(config.monitoring.grafanaHostname)] : []),
  ];
}

/**
 * The R2 credentials a tenant's dedicated Janua archives with: its own bucket's, never the shared
 * cluster's (R2 tokens scope to buckets, so a shared bucket would be a shared key). A shared-auth
 * tenant has no database; it is handed the shared consumer, which it never uses.
 */
export function tenantArchiveCredentials(r2: R2Buckets, t: StackConfig["tenants"][number]): S3Credentials {
  if (t.auth !== "dedicated") return r2.credentials.cnpg;
  const consumer = cnpgConsumer(`janua-${t.slug}`);
  const own = r2.credentials[consumer];
  if (!own) throw new Error(`tenant ${t.slug}: R2 has no bucket for consumer ${consumer}`);
  return own;
}

/** One Tenant component per `tenants[]` entry. */
export function buildTenants(
  config: StackConfig,
  inputs: AuthInputs & {
    janua: Janua;
    /** Every node's public IPv4 and IPv6 (addresses or prefixes), as the providers resolve them. */
    nodeIps: readonly pulumi.Input<string>[];
    tunnelReady: pulumi.Resource[];
    /** The router's CRDs, hostname admission policy and Gateway (tenant HTTPRoutes wait for them). */
    routerReady: pulumi.Resource[];
    provider: k8s.Provider;
    /** The tunnel's Access service token: dedicated Januas' admin hostnames admit it. */
    apiAccess: AccessServiceTokenArgs;
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
          nodeIps: inputs.nodeIps,
        },
        platformNamespaces: {
          controlPlane: inputs.namespaces.enclii as pulumi.Output<string>,
          janua: inputs.namespaces.janua as pulumi.Output<string>,
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
          r2: tenantArchiveCredentials(inputs.r2, t),
          backupRetention: config.postgres.retention,
          backupSchedule: config.postgres.backupSchedule,
          dependsOn: [inputs.cnpg.operator, inputs.cnpg.plugin, inputs.longhorn.chart],
          apiAccess: inputs.apiAccess,
          protect: config.protect,
          monitoringNamespace: config.monitoring.enabled ? "monitoring" : undefined,
          archives: Object.fromEntries(
            dedicatedJanuaNamespaces(config).map((c) => [c, clusterArchive(config, c)]),
          ),
        },
        adminEmail: config.janua.adminEmail,
        tunnelReady: inputs.tunnelReady,
        routerReady: inputs.routerReady,
      }),
  );
}

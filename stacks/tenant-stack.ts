/**
 * A tenant stack's program (`enclii-infra:role: tenants`, docs/tenant-stacks.md): its tenants'
 * stamps, their custom hostnames, their dedicated Januas' buckets, and the additive allows and
 * monitors they need in platform namespaces. What exists only once the platform is up comes from
 * the platform stack's outputs through one StackReference:
 * - `kubeconfig` (secret): the cluster;
 * - `tenantInputs` (plain): node addresses (tenant egress excepts them), the cluster identifier;
 * - `tenantSecrets` (secret): Janua's internal API key and bootstrap admin password, and the
 *   tunnel's Access service token its admin hostname admits.
 * StackReference marks an output secret when the referenced output holds a secret
 * (pulumi/pulumi pkg/resource/deploy/builtins.go readStackReference, `secretOutputNames`), and
 * `getOutput` keeps that bit (@pulumi/pulumi 3.248.0 stackReference.js getOutput/isSecretOutputName).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { januaAdminHostname } from "../components/auth/janua-routes";
import { R2Buckets } from "../components/edge/r2-buckets";
import { cnpgConsumer } from "../components/edge/r2-plan";
import { SaasHostnames } from "../components/edge/saas-hostnames";
import { Tenant } from "../components/tenancy/tenant";
import { TenantStackObjects } from "../components/tenancy/tenant-stack-objects";
import { IMAGES } from "../components/versions";
import type { StackConfig } from "./config";
import { clusterArchive, dedicatedJanuaNamespaces } from "./data";
import { customDomains } from "./edge";
import { platformReferenceName } from "./tenant-stack-config";

/** The platform's output a tenant stack reads in clear. */
export const TENANT_INPUTS_OUTPUT = "tenantInputs";
/** The platform's secret output a tenant stack reads. */
export const TENANT_SECRETS_OUTPUT = "tenantSecrets";

/** `tenantInputs`: what tenant stacks need from the platform that is not secret. */
export interface TenantInputs {
  /** Every node's public addresses as the providers resolved them. */
  readonly nodeIps: string[];
  /** The Kubernetes provider's `clusterIdentifier` (a new kubeconfig of the same cluster is an update). */
  readonly clusterIdentifier?: string;
}

/** `tenantSecrets`: the secret values tenant stacks need. */
export interface TenantSecrets {
  readonly januaInternalApiKey: string;
  readonly januaAdminPassword: string;
  readonly accessClientId: string;
  readonly accessClientSecret: string;
}

/** What a tenant stack exports. */
export interface TenantStackOutputs {
  /** Per tenant: tier, auth mode, namespace, hostnames, issuer and OAuth client id. */
  readonly tenants: Record<string, unknown>;
  /** Per custom domain: the records the tenant creates and the validation status. */
  readonly customHostnames: unknown[];
}

/** The R2 retention settings of the config (the dedicated buckets follow the platform's). */
function retention(config: StackConfig) {
  const b = config.backups;
  return {
    etcd: b.etcdRetentionDays,
    audit: b.auditRetentionDays,
    artifacts: b.artifactsRetentionDays,
    infrequentAccessAfter: b.infrequentAccessAfterDays,
  };
}

/** Builds a tenant stack. */
export function buildTenantStack(config: StackConfig): TenantStackOutputs {
  if (config.role !== "tenants" || config.platformStack === undefined) {
    throw new Error(`stack ${config.stack} is not a tenant stack`);
  }
  const platform = new pulumi.StackReference("platform", {
    name: platformReferenceName(config.platformStack, pulumi.getOrganization(), pulumi.getProject()),
  });
  const inputs = platform.requireOutput(TENANT_INPUTS_OUTPUT) as pulumi.Output<TenantInputs>;
  const secrets = platform.requireOutput(TENANT_SECRETS_OUTPUT) as pulumi.Output<TenantSecrets>;
  const secret = (key: keyof TenantSecrets) => pulumi.secret(secrets.apply((s) => s[key]));
  const provider = new k8s.Provider("cluster", {
    kubeconfig: pulumi.secret(platform.requireOutput("kubeconfig") as pulumi.Output<string>),
    enableServerSideApply: true,
    clusterIdentifier: inputs.apply((i) => i.clusterIdentifier ?? ""),
  });
  const dedicated = dedicatedJanuaNamespaces(config);
  const r2 =
    dedicated.length > 0
      ? new R2Buckets("r2", {
          accountId: config.cloudflare.accountId,
          bucketPrefix: config.cloudflare.r2.bucketPrefix,
          jurisdiction: config.cloudflare.r2.jurisdiction,
          retention: retention(config),
          tenantClusters: dedicated,
          platformBuckets: false,
          protect: config.protect,
        })
      : undefined;
  const apiAccess = { clientId: secret("accessClientId"), clientSecret: secret("accessClientSecret") };
  const sharedJanua = {
    issuer: `https://${config.janua.hostname}`,
    connection: {
      baseUrl: `https://${januaAdminHostname(config.janua.hostname)}`,
      internalApiKey: secret("januaInternalApiKey"),
      adminEmail: config.janua.adminEmail,
      adminPassword: secret("januaAdminPassword"),
      accessToken: apiAccess,
    },
  };
  const image = {
    ...IMAGES.janua,
    tag: config.janua.imageTag,
    ...(config.janua.imageDigest ? { digest: config.janua.imageDigest } : {}),
  };
  const monitoringNamespace = config.monitoring.enabled ? "monitoring" : undefined;
  const archives = Object.fromEntries(dedicated.map((c) => [c, clusterArchive(config, c)]));
  const tenants = config.tenants.map((t) => {
    const own = r2?.credentials[cnpgConsumer(`janua-${t.slug}`)];
    return new Tenant(`tenant-${t.slug}`, {
      provider,
      tenant: t,
      domain: config.domain,
      environment: config.environment,
      ranges: {
        clusterCidr: config.k3s.clusterCidr,
        serviceCidr: config.k3s.serviceCidr,
        privateNetworkCidr: config.k3s.privateNetworkCidr,
        nodeIps: inputs.apply((i) => i.nodeIps),
      },
      // The platform's namespaces exist: the platform stack is up before its tenant stacks.
      platformNamespaces: { controlPlane: "enclii", janua: "janua" },
      sharedJanua,
      ...(t.auth === "dedicated" && own
        ? {
            dedicated: {
              image,
              replicas: config.janua.replicas,
              features: config.janua.features,
              r2: own,
              backupRetention: config.postgres.retention,
              backupSchedule: config.postgres.backupSchedule,
              dependsOn: [],
              apiAccess,
              protect: config.protect,
              monitoringNamespace,
              archives,
            },
          }
        : {}),
      adminEmail: config.janua.adminEmail,
      tunnelReady: [],
    });
  });
  const domains = customDomains(config);
  const saas =
    domains.length > 0
      ? new SaasHostnames("saas", {
          zoneId: config.cloudflare.zoneId,
          zone: config.domain,
          fallbackOrigin: config.cloudflare.fallbackOrigin,
          domains,
          validation: config.cloudflare.customHostnameValidation,
          minTlsVersion: config.cloudflare.minTlsVersion,
        })
      : undefined;
  new TenantStackObjects("tenant-stack", {
    provider,
    stack: config.stack,
    dedicatedNamespaces: dedicated,
    customHostnames: domains.map((d) => d.hostname),
    ...(monitoringNamespace ? { monitoringNamespace } : {}),
    namespaceRefs: Object.fromEntries(
      tenants.flatMap((t) =>
        t.dedicatedNamespace ? [[t.dedicatedNamespace.name, t.dedicatedNamespace.ref]] : [],
      ),
    ),
  });
  return {
    tenants: Object.fromEntries(
      tenants.map((t, i) => {
        const spec = config.tenants[i] as StackConfig["tenants"][number];
        return [
          spec.slug,
          {
            tier: spec.tier,
            auth: spec.auth,
            namespace: t.namespace,
            hostnames: t.hostnames,
            issuer: t.issuer,
            oauthClientId: t.oauthClientId,
          },
        ];
      }),
    ),
    customHostnames: saas?.instructions ?? [],
  };
}

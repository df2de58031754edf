/**
 * Entry point of the Pulumi program: read the config, build the platform or a tenant stack
 * (`enclii-infra:role`, docs/tenant-stacks.md), export outputs. A bad config throws a
 * `StackConfigError` before any resource is registered. Outputs a role does not have are
 * undefined, which the engine does not record.
 */
import { loadStackConfig } from "./config";
import { buildPlatform } from "./platform";
import { buildTenantStack } from "./tenant-stack";

const { config, secrets } = loadStackConfig();
const platform = config.role === "platform" ? buildPlatform(config, secrets) : undefined;
const tenantStack = config.role === "tenants" ? buildTenantStack(config) : undefined;

/** `platform` or `tenants`. */
export const role = config.role;
/** Environment of this stack (`production`, `staging`, `local`). */
export const environment = config.environment;
/** Apex domain served by the stack. */
export const domain = config.domain;
/** Nodes with their public and private addresses. */
export const nodes = platform?.nodes;
/** Kubernetes API endpoint (reachable from `access.adminCidrs` only). */
export const apiEndpoint = platform?.apiEndpoint;
/** Admin kubeconfig (secret): `pulumi stack output kubeconfig --show-secrets > kubeconfig`. */
export const kubeconfig = platform?.kubeconfig;
/** Platform namespaces by name. */
export const namespaces = platform?.namespaces;
/** Cloudflare Tunnel id and the hostnames it serves. */
export const tunnel = platform?.tunnel;
/** R2 endpoint, buckets and per-consumer S3 credentials (secret); input of `npm run r2:check`. */
export const r2 = platform?.r2;
/** Per tenant custom domain (tenant stacks): the records the tenant creates and the validation status. */
export const customHostnames = platform?.customHostnames ?? tenantStack?.customHostnames;
/**
 * PostgreSQL connection per consumer: host, port, database, user and `credentialsSecret`, the
 * in-cluster Secret holding the password (no password or URL in the outputs).
 */
export const postgres = platform?.postgres;
/** Redis mode and connection per consumer (host, port, database, sentinel hosts, `credentialsSecret`; no password or URL). */
export const redis = platform?.redis;
/** Janua issuers and JWKS URLs, the bootstrap admin (password secret) and the control plane URLs. */
export const auth = platform?.auth;
/** Per tenant (tenant stacks): tier, auth mode, namespace, hostnames, issuer and OAuth client id. */
export const tenants = tenantStack?.tenants;
/**
 * How CI reaches SSH and the API through the tunnel: the stable names, their tunnel hostnames and
 * loopbacks, and the Access service token (secret):
 * `pulumi stack output clusterAccess --show-secrets --json` (docs/deploy.md).
 */
export const clusterAccess = platform?.clusterAccess;
/** Grafana's URL (behind Cloudflare Access), its admin password (secret) and the alert receivers. */
export const monitoring = platform?.monitoring;
/** Platform stacks: what tenant stacks read in clear through their StackReference (node addresses). */
export const tenantInputs = platform?.tenantInputs;
/** Platform stacks: what tenant stacks read through their StackReference, secret (Janua admin, Access token). */
export const tenantSecrets = platform?.tenantSecrets;

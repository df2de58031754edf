/**
 * Entry point of the Pulumi program: read the config, build the platform, export outputs.
 * A bad config throws a `StackConfigError` before any resource is registered.
 */
import { loadStackConfig } from "./config";
import { buildPlatform } from "./platform";

const { config, secrets } = loadStackConfig();
const platform = buildPlatform(config, secrets);

/** Environment of this stack (`production`, `staging`, `local`). */
export const environment = config.environment;
/** Apex domain served by the stack. */
export const domain = config.domain;
/** Nodes with their public and private addresses. */
export const nodes = platform.nodes;
/** Kubernetes API endpoint (reachable from `access.adminCidrs` only). */
export const apiEndpoint = platform.apiEndpoint;
/** Admin kubeconfig (secret): `pulumi stack output kubeconfig --show-secrets > kubeconfig`. */
export const kubeconfig = platform.kubeconfig;
/** Platform namespaces by name. */
export const namespaces = platform.namespaces;
/** Cloudflare Tunnel id and the hostnames it serves. */
export const tunnel = platform.tunnel;
/** R2 endpoint, buckets and per-consumer S3 credentials (secret); input of `npm run r2:check`. */
export const r2 = platform.r2;
/** Per tenant custom domain: the records the tenant creates and the validation status. */
export const customHostnames = platform.customHostnames;
/**
 * PostgreSQL connection per consumer: host, port, database, user and `credentialsSecret`, the
 * in-cluster Secret holding the password (no password or URL in the outputs).
 */
export const postgres = platform.postgres;
/** Redis mode and connection per consumer (host, port, database, sentinel hosts, `credentialsSecret`; no password or URL). */
export const redis = platform.redis;
/** Janua issuers and JWKS URLs, the bootstrap admin (password secret) and the control plane URLs. */
export const auth = platform.auth;
/** Per tenant: tier, auth mode, namespace, hostnames, issuer and OAuth client id. */
export const tenants = platform.tenants;
/**
 * How CI reaches SSH and the API through the tunnel: the stable names, their tunnel hostnames and
 * loopbacks, and the Access service token (secret):
 * `pulumi stack output clusterAccess --show-secrets --json` (docs/deploy.md).
 */
export const clusterAccess = platform.clusterAccess;
/** Grafana's URL (behind Cloudflare Access), its admin password (secret) and the alert receivers. */
export const monitoring = platform.monitoring;

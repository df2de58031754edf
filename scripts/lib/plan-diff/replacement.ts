/**
 * Which input changes force a replacement, and which resources hold state that a replacement or a
 * deletion destroys. The offline plan has no provider to ask, so this is the providers' behaviour
 * written down (ForceNew fields of the Terraform-bridged providers, immutable Kubernetes fields,
 * the `replaces` of this project's dynamic providers). A path matches itself and everything under it.
 */

/** Inputs whose change replaces the resource, by resource type. */
export const REPLACE_ON: Readonly<Record<string, readonly string[]>> = {
  // Kubernetes: identity and immutable fields (the API server rejects an update of them).
  "kubernetes:apps/v1:Deployment": ["spec.selector"],
  "kubernetes:apps/v1:StatefulSet": [
    "spec.selector",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
    "spec.podManagementPolicy",
  ],
  "kubernetes:apps/v1:DaemonSet": ["spec.selector"],
  "kubernetes:batch/v1:Job": ["spec.template", "spec.selector"],
  "kubernetes:core/v1:PersistentVolumeClaim": [
    "spec.storageClassName",
    "spec.accessModes",
    "spec.volumeName",
    "spec.selector",
  ],
  "kubernetes:core/v1:Service": ["spec.clusterIP", "spec.clusterIPs", "spec.ipFamilies"],
  "kubernetes:core/v1:Secret": ["type"],
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
  "kubernetes:postgresql.cnpg.io/v1:Database": ["spec.name", "spec.cluster"],
  // Hetzner Cloud (ForceNew in terraform-provider-hcloud).
  "hcloud:index/server:Server": ["location", "datacenter", "image", "userData", "sshKeys"],
  "hcloud:index/sshKey:SshKey": ["publicKey"],
  "hcloud:index/placementGroup:PlacementGroup": ["type"],
  "hcloud:index/networkSubnet:NetworkSubnet": ["networkId", "type", "networkZone", "ipRange", "vswitchId"],
  "hcloud:index/serverNetwork:ServerNetwork": ["serverId", "networkId", "subnetId"],
  // Cloudflare.
  "cloudflare:index/r2Bucket:R2Bucket": ["accountId", "name", "location", "jurisdiction"],
  "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared": [
    "accountId",
    "configSrc",
    "tunnelSecret",
  ],
  "cloudflare:index/dnsRecord:DnsRecord": ["zoneId"],
  "cloudflare:index/customHostname:CustomHostname": ["zoneId", "hostname"],
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle": ["accountId", "bucketName"],
  "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication": ["accountId", "zoneId"],
  "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy": ["accountId"],
  // Keys and generated secrets: any change of how they are generated makes a new one.
  "tls:index/privateKey:PrivateKey": ["algorithm", "rsaBits", "ecdsaCurve"],
  "random:index/randomPassword:RandomPassword": [
    "length",
    "special",
    "upper",
    "lower",
    "numeric",
    "minLower",
    "minUpper",
    "minNumeric",
    "minSpecial",
    "overrideSpecial",
    "keepers",
  ],
  "random:index/randomBytes:RandomBytes": ["length", "keepers"],
  // pulumi-command: a change of `triggers` re-creates the command.
  "command:remote:Command": ["triggers"],
  // This project's dynamic providers (their diff() returns these as `replaces`).
  "pulumi-nodejs:dynamic/enclii:RobotFirewall": ["serverNumber"],
  "pulumi-nodejs:dynamic/enclii:RobotServerName": ["serverNumber"],
  "pulumi-nodejs:dynamic/enclii:RobotReverseDns": ["ip"],
  "pulumi-nodejs:dynamic/enclii:RobotVSwitch": ["vlan"],
  "pulumi-nodejs:dynamic/enclii:JanuaOrganization": ["slug"],
  "pulumi-nodejs:dynamic/enclii:JanuaOAuthClient": ["clientKey", "organizationId"],
};

/**
 * The Kubernetes provider's replacement rule (pulumi-kubernetes provider/pkg/provider/provider.go,
 * DiffConfig): with `clusterIdentifier` present and unchanged, never; a changed
 * `clusterIdentifier` always; otherwise an unknown or changed kubeconfig/context/cluster (the
 * active cluster's server or CA) or `renderYamlToDirectory`. A replaced provider takes every object
 * it manages with it: the engine deletes and recreates them (see {@link PROVIDER_REPLACED}).
 */
export function kubernetesProviderReplaceReasons(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  changedPaths: readonly string[],
): string[] {
  const id = "clusterIdentifier";
  if (id in before && id in after) return before[id] === after[id] ? [] : [id];
  const rules = ["kubeconfig", "context", "cluster", "renderYamlToDirectory"];
  const reasons = new Set<string>();
  for (const path of changedPaths) for (const rule of rules) if (under(path, rule)) reasons.add(rule);
  // An unknown kubeconfig (a preview before the cluster exists) replaces too.
  for (const key of ["kubeconfig", "context", "cluster"]) if (after[key] === "[unknown]") reasons.add(key);
  return [...reasons].sort();
}

/** What an object loses when its Kubernetes provider is replaced. */
export const PROVIDER_REPLACED =
  "its Kubernetes provider is replaced: the object is deleted and created again (a Namespace takes everything in it)";

/** Inputs whose change replaces any Kubernetes object: its identity. */
const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"];

/** Resources that hold state, with what is lost when they are replaced or deleted. */
export const STATEFUL: Readonly<Record<string, string>> = {
  "kubernetes:postgresql.cnpg.io/v1:Cluster":
    "a PostgreSQL cluster: its data is restored only from the R2 backups",
  "kubernetes:core/v1:PersistentVolumeClaim": "a volume: its data is lost",
  "kubernetes:apps/v1:StatefulSet": "a StatefulSet: its volumes may be orphaned or lost",
  "kubernetes:longhorn.io/v1beta2:Volume": "a Longhorn volume: its data is lost",
  "hcloud:index/server:Server": "a server: its disks and everything on them are wiped",
  "hcloud:index/volume:Volume": "a volume: its data is lost",
  "cloudflare:index/r2Bucket:R2Bucket": "an R2 bucket: backups and snapshots in it are lost",
  "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared":
    "the tunnel: a new tunnel id, every route is down until cloudflared restarts with the new token",
  "tls:index/privateKey:PrivateKey":
    "a signing key: every issued token is invalid, every user signs in again",
  "random:index/randomPassword:RandomPassword":
    "a generated password: every consumer must pick up the new one",
  "random:index/randomBytes:RandomBytes":
    "generated key material: data or sessions sealed with it become unreadable",
  "command:remote:Command":
    "a command on a node runs again (the k3s install command: k3s restarts, the API is briefly down)",
  "pulumi-nodejs:dynamic/enclii:JanuaOrganization":
    "a Janua organization: its users and memberships are lost",
  "pulumi-nodejs:dynamic/enclii:JanuaOAuthClient":
    "an OAuth client: a new client id and secret, every login flow breaks until redeployed",
};

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** The changed paths that force a replacement of a resource of `type`. */
export function replaceReasons(type: string, changedPaths: readonly string[]): string[] {
  const rules = [...(REPLACE_ON[type] ?? []), ...(type.startsWith("kubernetes:") ? KUBERNETES_IDENTITY : [])];
  const reasons = new Set<string>();
  for (const path of changedPaths) {
    for (const rule of rules) if (under(path, rule)) reasons.add(rule);
  }
  return [...reasons].sort();
}

/** What is lost when a resource of `type` goes away, or undefined when it holds no state. */
export function statefulReason(type: string): string | undefined {
  return STATEFUL[type];
}

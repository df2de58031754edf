/**
 * Every policy of the pack, in one list: the pack's index constructs the PolicyPack from it,
 * the offline plan and the tests read it, and docs/policies.md is generated from it.
 */
import type { Policy } from "@pulumi/policy";
import { cloudflareApitokenForbidWildcards } from "./rules/cloudflare-apitoken-forbid-wildcards";
import { cloudflareApitokenForbidWorkloadAccountWrite } from "./rules/cloudflare-apitoken-forbid-workload-account-write";
import { cloudflareApitokenRequireWorkloadConditions } from "./rules/cloudflare-apitoken-require-workload-conditions";
import { cloudflareCustomhostnameRequireDvTls } from "./rules/cloudflare-customhostname-require-dv-tls";
import { cloudflareDnsrecordRequireProxied } from "./rules/cloudflare-dnsrecord-require-proxied";
import { cloudflareR2bucketRequireLifecycle } from "./rules/cloudflare-r2bucket-require-lifecycle";
import { cloudflareTunnelRequireAccessForAdmin } from "./rules/cloudflare-tunnel-require-access-for-admin";
import { cloudflareTunnelRequireCatchAll } from "./rules/cloudflare-tunnel-require-catch-all";
import { cloudflareTunnelRequireJanuaDeniedPaths } from "./rules/cloudflare-tunnel-require-janua-denied-paths";
import { cnpgClusterRequireBackups } from "./rules/cnpg-cluster-require-backups";
import { hcloudFirewallForbidWorldAdminPorts } from "./rules/hcloud-firewall-forbid-world-admin-ports";
import { helmChartRequireWorkloadResources } from "./rules/helm-chart-require-workload-resources";
import { kubernetesIngressForbidIngress } from "./rules/kubernetes-ingress-forbid-ingress";
import { kubernetesJobRequireDeadline } from "./rules/kubernetes-job-require-deadline";
import { kubernetesJobRequireTtlByOwner } from "./rules/kubernetes-job-require-ttl-by-owner";
import { kubernetesNamespaceRequireDefaultDeny } from "./rules/kubernetes-namespace-require-default-deny";
import { kubernetesObjectForbidDefaultNamespace } from "./rules/kubernetes-object-forbid-default-namespace";
import { kubernetesPodDisableServiceAccountToken } from "./rules/kubernetes-pod-disable-service-account-token";
import { kubernetesPodForbidHostNamespaces } from "./rules/kubernetes-pod-forbid-host-namespaces";
import { kubernetesPodForbidHostPath } from "./rules/kubernetes-pod-forbid-host-path";
import { kubernetesPodForbidHostPort } from "./rules/kubernetes-pod-forbid-host-port";
import { kubernetesPodForbidPrivilegeEscalation } from "./rules/kubernetes-pod-forbid-privilege-escalation";
import { kubernetesPodForbidPrivileged } from "./rules/kubernetes-pod-forbid-privileged";
import { kubernetesPodForbidSecretLiterals } from "./rules/kubernetes-pod-forbid-secret-literals";
import { kubernetesPodRequireDropAllCapabilities } from "./rules/kubernetes-pod-require-drop-all-capabilities";
import { kubernetesPodRequireImageDigest } from "./rules/kubernetes-pod-require-image-digest";
import { kubernetesPodRequirePinnedImage } from "./rules/kubernetes-pod-require-pinned-image";
import { kubernetesPodRequireProbes } from "./rules/kubernetes-pod-require-probes";
import { kubernetesPodRequireReadOnlyRoot } from "./rules/kubernetes-pod-require-read-only-root";
import { kubernetesPodRequireResources } from "./rules/kubernetes-pod-require-resources";
import { kubernetesPodRequireRunAsNonRoot } from "./rules/kubernetes-pod-require-run-as-non-root";
import { kubernetesPodRequireSeccompRuntimeDefault } from "./rules/kubernetes-pod-require-seccomp-runtime-default";
import { kubernetesRbacForbidClusterAdmin } from "./rules/kubernetes-rbac-forbid-cluster-admin";
import { kubernetesRbacForbidClusterSecretReads } from "./rules/kubernetes-rbac-forbid-cluster-secret-reads";
import { kubernetesRbacForbidEscalationVerbs } from "./rules/kubernetes-rbac-forbid-escalation-verbs";
import { kubernetesRbacForbidWildcards } from "./rules/kubernetes-rbac-forbid-wildcards";
import { kubernetesServiceForbidExternalTypes } from "./rules/kubernetes-service-forbid-external-types";
import { kubernetesWorkloadRequirePdb } from "./rules/kubernetes-workload-require-pdb";
import { kubernetesWorkloadRequireSpread } from "./rules/kubernetes-workload-require-spread";
import { longhornChartRequireBackupTarget } from "./rules/longhorn-chart-require-backup-target";
import { networkCidrForbidWideSources } from "./rules/network-cidr-forbid-wide-sources";
import { robotFirewallRequireActive } from "./rules/robot-firewall-require-active";
import { stackCostRequireWithinBudget } from "./rules/stack-cost-require-within-budget";
import { stackProductionRequireAlertReceivers } from "./rules/stack-production-require-alert-receivers";
import { stackProductionRequireProtect } from "./rules/stack-production-require-protect";
import { stackProductionRequireReplicas } from "./rules/stack-production-require-replicas";
import { tenancyNamespaceRequireBoundaries } from "./rules/tenancy-namespace-require-boundaries";
import { tenancyNetpolForbidNodeEgress } from "./rules/tenancy-netpol-forbid-node-egress";

/** The policies, by file name. */
export const POLICIES: Policy[] = [
  cloudflareApitokenForbidWildcards,
  cloudflareApitokenForbidWorkloadAccountWrite,
  cloudflareApitokenRequireWorkloadConditions,
  cloudflareCustomhostnameRequireDvTls,
  cloudflareDnsrecordRequireProxied,
  cloudflareR2bucketRequireLifecycle,
  cloudflareTunnelRequireAccessForAdmin,
  cloudflareTunnelRequireCatchAll,
  cloudflareTunnelRequireJanuaDeniedPaths,
  cnpgClusterRequireBackups,
  hcloudFirewallForbidWorldAdminPorts,
  helmChartRequireWorkloadResources,
  kubernetesIngressForbidIngress,
  kubernetesJobRequireDeadline,
  kubernetesJobRequireTtlByOwner,
  kubernetesNamespaceRequireDefaultDeny,
  kubernetesObjectForbidDefaultNamespace,
  kubernetesPodDisableServiceAccountToken,
  kubernetesPodForbidHostNamespaces,
  kubernetesPodForbidHostPath,
  kubernetesPodForbidHostPort,
  kubernetesPodForbidPrivilegeEscalation,
  kubernetesPodForbidPrivileged,
  kubernetesPodForbidSecretLiterals,
  kubernetesPodRequireDropAllCapabilities,
  kubernetesPodRequireImageDigest,
  kubernetesPodRequirePinnedImage,
  kubernetesPodRequireProbes,
  kubernetesPodRequireReadOnlyRoot,
  kubernetesPodRequireResources,
  kubernetesPodRequireRunAsNonRoot,
  kubernetesPodRequireSeccompRuntimeDefault,
  kubernetesRbacForbidClusterAdmin,
  kubernetesRbacForbidClusterSecretReads,
  kubernetesRbacForbidEscalationVerbs,
  kubernetesRbacForbidWildcards,
  kubernetesServiceForbidExternalTypes,
  kubernetesWorkloadRequirePdb,
  kubernetesWorkloadRequireSpread,
  longhornChartRequireBackupTarget,
  networkCidrForbidWideSources,
  robotFirewallRequireActive,
  stackCostRequireWithinBudget,
  stackProductionRequireAlertReceivers,
  stackProductionRequireProtect,
  stackProductionRequireReplicas,
  tenancyNamespaceRequireBoundaries,
  tenancyNetpolForbidNodeEgress,
];

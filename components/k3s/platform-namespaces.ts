/**
 * The namespaces the platform's own services live in, with their PodSecurity level. The only
 * exemptions from `restricted` are listed here, each with its reason.
 */
import type { NamespaceSpec } from "../shared/namespace";

/**
 * A platform namespace. Every one starts with a default deny of ingress and egress and an allow of
 * DNS (./namespaces.ts); the component named in {@link PlatformNamespace.allows} adds exactly the
 * allows its pods need beside them.
 */
export interface PlatformNamespace extends NamespaceSpec {
  /** The renderer of the namespace's allows (a path under components/), for docs and reviews. */
  readonly allows: string;
}

/** Options that decide which optional namespaces exist. */
export interface PlatformNamespaceOptions {
  /** kube-prometheus-stack is installed (namespaces `monitoring` and `monitoring-node`). */
  readonly monitoring: boolean;
  /** system-upgrade-controller manages k3s upgrades. */
  readonly managedUpgrades: boolean;
}

/** The platform namespaces for a stack, in creation order. */
export function platformNamespaces(options: PlatformNamespaceOptions): PlatformNamespace[] {
  const namespaces: PlatformNamespace[] = [
    {
      name: "cloudflare-tunnel",
      podSecurity: "restricted",
      description: "cloudflared, the only way into the cluster",
      allows: "components/edge/cloudflared-manifests.ts",
    },
    {
      name: "router",
      podSecurity: "restricted",
      description: "the Gateway API router (Traefik): every hostname the tunnel does not route itself",
      allows: "components/edge/router-manifests.ts",
    },
    {
      name: "janua",
      podSecurity: "restricted",
      description: "shared Janua auth service",
      allows: "components/auth/janua-manifests.ts",
    },
    {
      name: "enclii",
      podSecurity: "restricted",
      description: "Enclii control plane (switchyard-api, switchyard-ui)",
      allows: "components/control-plane/manifests.ts",
    },
    {
      name: "data",
      podSecurity: "restricted",
      description: "shared PostgreSQL (CloudNativePG) and Redis",
      allows: "components/data/data-network.ts",
    },
    {
      name: "cert-manager",
      podSecurity: "restricted",
      description: "cert-manager, for the CNPG barman-cloud plugin certificates",
      allows: "components/storage/cert-manager-network.ts",
    },
    {
      name: "cnpg-system",
      podSecurity: "restricted",
      description: "CloudNativePG operator and barman-cloud plugin",
      allows: "components/data/cnpg-network.ts",
    },
    {
      name: "longhorn-system",
      podSecurity: "privileged",
      exemptionReason:
        "Longhorn's manager, instance managers and CSI plugin run privileged with host paths (/dev, /var/lib/longhorn) to attach iSCSI block devices",
      description: "Longhorn distributed block storage",
      // The chart's own internal-traffic policies (networkPolicies.*) plus these.
      allows: "components/storage/longhorn-network.ts",
    },
  ];
  if (options.managedUpgrades) {
    namespaces.push({
      name: "system-upgrade",
      podSecurity: "privileged",
      exemptionReason:
        "upgrade jobs replace the k3s binary on the host and restart it: they need hostPID, host mounts and privilege",
      description: "system-upgrade-controller and k3s upgrade plans",
      // The upgrade Job pods run on the host network, where no NetworkPolicy applies; these
      // allows are the controller's.
      allows: "components/k3s/upgrade-network.ts",
    });
  }
  if (options.monitoring) {
    namespaces.push(
      {
        name: "monitoring",
        podSecurity: "restricted",
        description: "kube-prometheus-stack, Grafana, Alertmanager, the blackbox exporter",
        allows: "components/observability/monitoring-network.ts",
      },
      {
        name: "monitoring-node",
        podSecurity: "privileged",
        exemptionReason:
          "node-exporter reads host metrics through hostNetwork, hostPID and a read-only hostPath of / (the only pod in it)",
        description:
          "prometheus-node-exporter (kube-prometheus-stack's DaemonSet, moved here by namespaceOverride)",
        // node-exporter runs on the host network, where no NetworkPolicy applies: the default
        // deny and DNS allow are all this namespace has.
        allows: "components/k3s/namespaces.ts",
      },
    );
  }
  return namespaces;
}

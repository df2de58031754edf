/**
 * Wires the components together from the stack configuration. Holds no resource details:
 * every resource is created inside a component.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Namespaces } from "../components/k3s/namespaces";
import { platformNamespaces } from "../components/k3s/platform-namespaces";
import { UpgradeController } from "../components/k3s/upgrade-controller";
import type { StackConfig, StackSecrets } from "./config";
import { buildCluster, type NodeOutput } from "./nodes";

/** What the platform exposes as stack outputs. */
export interface Platform {
  readonly nodes: NodeOutput[];
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly namespaces: Record<string, pulumi.Output<string>>;
}

/** Builds the platform for one stack. */
export function buildPlatform(config: StackConfig, secrets: StackSecrets): Platform {
  const namespaceOptions = {
    monitoring: config.monitoring.enabled,
    managedUpgrades: config.k3s.upgrades.enabled,
  };
  // Namespaces the platform runs privileged pods in are exempt from the cluster-wide default.
  const exemptions = platformNamespaces(namespaceOptions)
    .filter((ns) => ns.podSecurity !== "restricted")
    .map((ns) => ns.name);
  const cluster = buildCluster(config, secrets, exemptions);
  const namespaces = new Namespaces("platform", {
    provider: cluster.provider,
    environment: config.environment,
    ...namespaceOptions,
  });
  const upgradeNamespace = namespaces.names["system-upgrade"];
  if (cluster.provisioned && upgradeNamespace) {
    new UpgradeController("upgrades", {
      provider: cluster.provider,
      namespace: upgradeNamespace,
      version: config.k3s.version,
      concurrency: config.k3s.upgrades.concurrency,
    });
  }
  return {
    nodes: cluster.nodes,
    apiEndpoint: cluster.apiEndpoint,
    kubeconfig: cluster.kubeconfig,
    namespaces: namespaces.names,
  };
}

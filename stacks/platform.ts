/**
 * Wires the components together from the stack configuration. Holds no resource details:
 * every resource is created inside a component.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { Namespaces } from "../components/k3s/namespaces";
import type { StackConfig, StackSecrets } from "./config";

/** What the platform exposes as stack outputs. */
export interface Platform {
  readonly namespaces: Record<string, pulumi.Output<string>>;
}

/**
 * Builds the platform for one stack.
 *
 * The cluster's kubeconfig comes from the secret `enclii-infra:kubeconfig` until the k3s
 * component bootstraps the nodes and hands over its own.
 */
export function buildPlatform(config: StackConfig, secrets: StackSecrets): Platform {
  const provider = new k8s.Provider("k3s", {
    kubeconfig: secrets.kubeconfig,
    enableServerSideApply: true,
  });
  const namespaces = new Namespaces("platform", {
    provider,
    environment: config.environment,
    monitoring: config.monitoring.enabled,
    managedUpgrades: config.k3s.upgrades.enabled,
  });
  return { namespaces: namespaces.names };
}

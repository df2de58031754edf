/**
 * `enclii:k3s:UpgradeController`: system-upgrade-controller with least-privilege RBAC and the
 * k3s upgrade Plans. Upgrading k3s = changing `k3s.version` and running `pulumi up`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createObjects } from "../shared/objects";
import { SYSTEM_UPGRADE_CRD_URL } from "../versions";
import {
  renderControllerRbac,
  renderControllerWorkload,
  renderUpgradePlans,
  type UpgradePlanOptions,
} from "./upgrade-plans";

/** Arguments of {@link UpgradeController}. */
export interface UpgradeControllerArgs extends UpgradePlanOptions {
  readonly provider: k8s.Provider;
  /** The `system-upgrade` namespace (from the platform namespaces). */
  readonly namespace: pulumi.Input<string>;
}

/** Installs the controller and its Plans. */
export class UpgradeController extends pulumi.ComponentResource {
  constructor(name: string, args: UpgradeControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:UpgradeController", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    const crd = new k8s.yaml.v2.ConfigFile(`${name}-crd`, { file: SYSTEM_UPGRADE_CRD_URL }, base);
    const created = createObjects(
      name,
      [...renderControllerRbac(), ...renderControllerWorkload()],
      base,
      args.namespace,
    );
    // The Plans name their CRD's kind: they wait for the CRD and the controller.
    createObjects(name, renderUpgradePlans(args), { ...base, dependsOn: [crd, ...created] }, args.namespace);
    this.registerOutputs({});
  }
}

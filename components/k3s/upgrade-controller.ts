/**
 * `enclii:k3s:UpgradeController`: system-upgrade-controller with least-privilege RBAC and the
 * k3s upgrade Plans. Upgrading k3s = changing `k3s.version` and running `pulumi up`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
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

type Obj = Record<string, unknown>;
const nameOf = (o: Obj) => String((o.metadata as Obj).name);

/** Installs the controller and its Plans. */
export class UpgradeController extends pulumi.ComponentResource {
  constructor(name: string, args: UpgradeControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:UpgradeController", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    // The namespace name as an Output, so every object waits for the Namespace resource.
    const inNamespace = (o: Obj): Obj =>
      (o.metadata as Obj).namespace
        ? { ...o, metadata: { ...(o.metadata as Obj), namespace: args.namespace } }
        : o;
    const crd = new k8s.yaml.v2.ConfigFile(`${name}-crd`, { file: SYSTEM_UPGRADE_CRD_URL }, base);
    const objects = [...renderControllerRbac(), ...renderControllerWorkload()].map(inNamespace);
    const created = objects.map(
      (o) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${String(o.kind).toLowerCase()}-${nameOf(o)}`,
          o as unknown as k8s.apiextensions.CustomResourceArgs,
          base,
        ),
    );
    for (const plan of renderUpgradePlans(args).map(inNamespace)) {
      new k8s.apiextensions.CustomResource(
        `${name}-plan-${nameOf(plan)}`,
        plan as unknown as k8s.apiextensions.CustomResourceArgs,
        { ...base, dependsOn: [crd, ...created] },
      );
    }
    this.registerOutputs({});
  }
}

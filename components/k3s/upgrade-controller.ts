/**
 * `enclii:k3s:UpgradeController`: system-upgrade-controller with least-privilege RBAC and the
 * k3s upgrade Plans. Upgrading k3s = changing `k3s.version` and running `pulumi up`.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createObjects } from "../shared/objects";
import { renderUpgradeNetworkPolicies } from "./upgrade-network";
import {
  renderControllerRbac,
  renderControllerWorkload,
  renderUpgradePlans,
  SUC,
  type UpgradePlanOptions,
} from "./upgrade-plans";

/** Arguments of {@link UpgradeController}. */
export interface UpgradeControllerArgs extends UpgradePlanOptions {
  readonly provider: k8s.Provider;
  /** The `system-upgrade` namespace (from the platform namespaces). */
  readonly namespace: pulumi.Input<string>;
  /** The cluster's Service CIDR (the controller's API server egress). */
  readonly serviceCidr: string;
}

/** Installs the controller and its Plans. */
export class UpgradeController extends pulumi.ComponentResource {
  constructor(name: string, args: UpgradeControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:UpgradeController", name, {}, opts);
    const base = { parent: this, provider: args.provider };
    // No Plan CRD here: the controller registers it at every start and replaces whatever is there
    // with its embedded copy (upstream pkg/upgrade/controller.go 147-149, 184-195; wrangler
    // pkg/crd/crd.go 79-106), and nothing turns that off (main.go 37-88). One owner: the controller.
    const network = createObjects(
      name,
      renderUpgradeNetworkPolicies({ namespace: SUC.namespace, serviceCidr: args.serviceCidr }),
      base,
      args.namespace,
    );
    const created = createObjects(
      name,
      [...renderControllerRbac(), ...renderControllerWorkload()],
      { ...base, dependsOn: network },
      args.namespace,
    );
    // The Plans wait for the controller's Deployment to be ready; the controller registers the CRD
    // (and waits until it is Established) as the first thing it does. A Plan created in the short
    // window before that fails with "no matches for kind", which pulumi-kubernetes retries for
    // about 30 s (provider/pkg/await/await.go 164-274:
    // 6 tries, 1 s doubling, on IsNoMatchError; a new client per try sees the new CRD).
    createObjects(name, renderUpgradePlans(args), { ...base, dependsOn: created }, args.namespace);
    this.registerOutputs({});
  }
}

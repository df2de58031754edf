/**
 * Network policies of the `system-upgrade` namespace, beside its default deny and DNS allow
 * (./namespaces.ts). Pure.
 *
 * Two kinds of pods run there:
 * - the controller Deployment (./upgrade-plans.ts, label `upgrade.cattle.io/controller`) watches
 *   Plans, Nodes and Secrets and creates Jobs through the API server, and nothing else: the Plans
 *   pin `version` (no `channel` to resolve over HTTP) and it serves no metrics port
 *   (rancher/system-upgrade-controller v0.20.1 main.go). It gets API server egress only.
 * - the upgrade Job pods run with `HostNetwork: true`, `HostPID` and `HostIPC` (v0.20.1
 *   pkg/upgrade/job/job.go 199-202). A NetworkPolicy selects pods on the pod network only, so none
 *   of these policies (nor the default deny) applies to them: they reach whatever the node
 *   reaches, as the k3s binary they replace does.
 */
import { renderAllowApiServer } from "../shared/namespace";
import { SUC } from "./upgrade-plans";

type Obj = Record<string, unknown>;

/** The controller pod's selector label (./upgrade-plans.ts `renderControllerWorkload`). */
export const UPGRADE_CONTROLLER_POD_LABELS: Readonly<Record<string, string>> = {
  "upgrade.cattle.io/controller": SUC.name,
};

/** The allows of the upgrade namespace: the controller reaches the API server. */
export function renderUpgradeNetworkPolicies(o: { namespace: string; serviceCidr: string }): Obj[] {
  return [
    renderAllowApiServer(o.namespace, o.serviceCidr, {
      name: "controller-api-server",
      podSelector: { matchLabels: { ...UPGRADE_CONTROLLER_POD_LABELS } },
    }) as Obj,
  ];
}

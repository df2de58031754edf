/**
 * The system-upgrade-controller in both offline plans: who owns the Plan CRD, what the Plans wait
 * for, and that a node installed by this plan is not one the Plans would upgrade (and cordon).
 * Upstream: rancher/system-upgrade-controller v0.20.1 (commit 0d144460).
 */
import { describe, expect, it } from "vitest";
import { INSTALLED_VERSION_LABEL, installedVersionLabelValue } from "../../components/k3s/upgrade-plans";
import { SYSTEM_UPGRADE_CRD_URL } from "../../components/versions";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Inputs = Record<string, any>;

describe.each(STACKS)("system-upgrade-controller in the %s plan", (stack) => {
  const plan = () => planOf(stack);
  const resources = () => plan().resources;
  const upgradePlans = () =>
    resources().filter((r) => r.type.endsWith(":Plan") && r.type.includes("upgrade.cattle.io"));

  // The controller registers plans.upgrade.cattle.io at every start and replaces it with its
  // embedded copy (pkg/upgrade/controller.go 147-149, 184-195; rancher/wrangler v3.7.0-rc.1
  // pkg/crd/crd.go 79-106), with no flag to turn it off (main.go 37-88): the program declares it
  // nowhere, neither as a CustomResourceDefinition nor through a ConfigFile of the release's crd.yaml.
  it("declares the Plan CRD nowhere: the controller is its one owner", () => {
    const crds = resources().filter(
      (r) =>
        r.type.endsWith(":CustomResourceDefinition") &&
        ((r.inputs as Inputs).metadata?.name === "plans.upgrade.cattle.io" ||
          (r.inputs as Inputs).spec?.group === "upgrade.cattle.io"),
    );
    expect(crds).toEqual([]);
    const files = resources().filter((r) => JSON.stringify(r.inputs).includes(SYSTEM_UPGRADE_CRD_URL));
    expect(files.map((r) => r.name)).toEqual([]);
  });

  it("creates the Plans after the controller's Deployment and its ClusterRole", () => {
    const deployment = resources().find(
      (r) =>
        r.type.endsWith(":Deployment") && (r.inputs as Inputs).metadata?.name === "system-upgrade-controller",
    );
    const role = resources().find(
      (r) =>
        r.type.endsWith(":ClusterRole") &&
        (r.inputs as Inputs).metadata?.name === "system-upgrade-controller",
    );
    expect(
      upgradePlans()
        .map((r) => (r.inputs as Inputs).metadata.name)
        .sort(),
    ).toEqual(["k3s-agent", "k3s-server"]);
    for (const p of upgradePlans()) {
      expect(p.dependencies).toContain(deployment?.urn);
      expect(p.dependencies).toContain(role?.urn);
    }
  });

  // A node gets a job when it matches the Plan's selector and lacks the plan's hash label
  // (pkg/upgrade/plan/plan.go 143-168), and the job cordons it (pkg/upgrade/job/job.go 420-442).
  // Every node this plan installs is labelled with the release it installs, and both Plans
  // exclude that release: none of them is selected in the deploy that creates it.
  it("labels every installed node with the Plans' target, which the Plans exclude", () => {
    const installs = resources().filter(
      (r) => r.type === "command:remote:Command" && r.name.endsWith("-install"),
    );
    expect(installs.length).toBeGreaterThan(0);
    const targets = new Set(upgradePlans().map((p) => (p.inputs as Inputs).spec.version as string));
    expect(targets.size).toBe(1);
    const value = installedVersionLabelValue([...targets][0] as string);
    for (const install of installs) {
      expect(String((install.inputs as Inputs).stdin)).toContain(`"${INSTALLED_VERSION_LABEL}=${value}"`);
    }
    for (const p of upgradePlans()) {
      expect((p.inputs as Inputs).spec.nodeSelector.matchExpressions).toContainEqual({
        key: INSTALLED_VERSION_LABEL,
        operator: "NotIn",
        values: [value],
      });
    }
  });
});

/**
 * Every cert-manager consumer waits for the readiness gate (components/storage/cert-manager-check.ts)
 * in the recorded dependencies of both offline plans, not for the cert-manager chart: the chart's
 * own startupapicheck is a hook, and helm.v4.Chart never runs hooks (pulumi/pulumi-kubernetes
 * provider/pkg/provider/helm/v4/chart.go 94977969 line 230).
 */
import { describe, expect, it } from "vitest";
import { CERT_MANAGER_CHECK } from "../../components/storage/cert-manager-check";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Inputs = Record<string, any>;

/** Charts that render cert-manager Issuers/Certificates: the barman-cloud plugin and kube-prometheus-stack's webhook. */
const CHART_CONSUMERS: Record<string, (values: Inputs) => boolean> = {
  "plugin-barman-cloud": () => true,
  "kube-prometheus-stack": (v) => v.prometheusOperator?.admissionWebhooks?.certManager?.enabled === true,
};

describe.each(STACKS)("cert-manager readiness gate in the %s plan", (stack) => {
  const resources = () => planOf(stack).resources;
  const gate = () =>
    resources().find(
      (r) =>
        r.type === "kubernetes:batch/v1:Job" && (r.inputs as Inputs).metadata?.name === CERT_MANAGER_CHECK,
    );

  it("runs the gate Job after the cert-manager chart and its own RBAC", () => {
    const job = gate();
    expect(job).toBeDefined();
    const chart = resources().find(
      (r) => r.type === "kubernetes:helm.sh/v4:Chart" && (r.inputs as Inputs).chart === "cert-manager",
    );
    expect(job?.dependencies).toContain(chart?.urn);
    for (const kind of ["ServiceAccount", "Role", "RoleBinding"]) {
      const dep = resources().find(
        (r) => r.type.endsWith(`:${kind}`) && (r.inputs as Inputs).metadata?.name === CERT_MANAGER_CHECK,
      );
      expect(job?.dependencies, kind).toContain(dep?.urn);
    }
    expect((chart?.inputs as Inputs | undefined)?.values?.startupapicheck).toEqual({ enabled: false });
  });

  it("makes every cert-manager consumer depend on the gate", () => {
    const urn = gate()?.urn as string;
    const consumers = resources().filter(
      (r) =>
        r.type.includes("cert-manager.io") ||
        (r.type === "kubernetes:helm.sh/v4:Chart" &&
          CHART_CONSUMERS[(r.inputs as Inputs).chart]?.((r.inputs as Inputs).values ?? {})),
    );
    const charts = consumers.map((r) => (r.inputs as Inputs).chart).filter(Boolean);
    expect(charts).toContain("plugin-barman-cloud");
    if (stack === "production") expect(charts).toContain("kube-prometheus-stack");
    const missing = consumers.filter((r) => !r.dependencies.includes(urn)).map((r) => r.urn);
    expect(missing).toEqual([]);
  });
});

/**
 * Chart children as the real engine registers them, rendered by the models in
 * scripts/lib/chart-children (each cites the chart templates it transcribes) from the values the
 * program passes, and judged by the pack's resource policies as `Analyze` would judge them.
 */
import { type ResourceValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { certManagerValues } from "../../components/storage/cert-manager";
import { POLICIES } from "../../policies/policy-list";
import { certManagerModel } from "../../scripts/lib/chart-children/cert-manager";
import { typeToken } from "../../scripts/lib/chart-children/index";
import type { Obj } from "../../scripts/lib/chart-children/model";

/** Every mandatory resource policy's findings for the rendered objects, as `policy: message`. */
function mandatoryFindings(objects: Obj[]): string[] {
  const found: string[] = [];
  for (const p of POLICIES) {
    const validate = (p as ResourceValidationPolicy).validateResource;
    if (typeof validate !== "function" || p.enforcementLevel !== "mandatory") continue;
    for (const o of objects) {
      const type = typeToken(o);
      (validate as unknown as (a: unknown, r: (m: string) => void) => void)(
        {
          type,
          props: unknownCheckingProxy(o),
          urn: `urn:pulumi:production::enclii-infra::kubernetes:helm.sh/v4:Chart$${type}::cert-manager:${o.metadata.namespace}/${o.metadata.name}`,
          name: `cert-manager:${o.metadata.namespace}/${o.metadata.name}`,
          opts: { parent: "urn:pulumi:production::enclii-infra::kubernetes:helm.sh/v4:Chart::cert-manager" },
          getConfig: () => ({}),
          isType: () => false,
          asType: () => undefined,
          notApplicable: () => {},
        },
        (m) => found.push(`${p.name}: ${m}`),
      );
    }
  }
  return found;
}

const release = { name: "cert-manager", namespace: "cert-manager" };

describe("cert-manager chart children (v1.20.2 templates)", () => {
  it("renders the controller, webhook and cainjector Deployments, hooks left out", () => {
    const objects = certManagerModel.render(release, certManagerValues() as unknown as Obj);
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      "Deployment cert-manager",
      "Deployment cert-manager-webhook",
      "Deployment cert-manager-cainjector",
    ]);
  });

  it("passes every mandatory resource policy with the program's values", () => {
    expect(
      mandatoryFindings(certManagerModel.render(release, certManagerValues() as unknown as Obj)),
    ).toEqual([]);
  });

  it("fails kubernetes-pod-require-resources when only the top-level resources are set (the chart's webhook has its own)", () => {
    const values = { ...(certManagerValues() as unknown as Obj), webhook: {} };
    expect(mandatoryFindings(certManagerModel.render(release, values))).toEqual([
      expect.stringMatching(
        /^kubernetes-pod-require-resources: .*Deployment cert-manager\/cert-manager-webhook: container cert-manager-webhook has no requests.cpu/,
      ),
    ]);
  });
});

describe("helm-chart-require-workload-resources", () => {
  const CHART = "kubernetes:helm.sh/v4:Chart";
  const run = (chart: string, values: Obj): string[] => {
    const p = POLICIES.find(
      (x) => x.name === "helm-chart-require-workload-resources",
    ) as ResourceValidationPolicy;
    const found: string[] = [];
    (p.validateResource as unknown as (a: unknown, r: (m: string) => void) => void)(
      {
        type: CHART,
        props: unknownCheckingProxy({ chart, values }),
        urn: "u",
        name: "n",
        opts: {},
        getConfig: () => ({}),
      },
      (m) => found.push(m),
    );
    return found;
  };

  it("passes the program's cert-manager values", () => {
    expect(run("cert-manager", certManagerValues() as unknown as Obj)).toEqual([]);
  });

  it("fails when the cainjector has no resources value, and not when the cainjector is off", () => {
    const values = { ...(certManagerValues() as unknown as Obj), cainjector: {} };
    expect(run("cert-manager", values)).toEqual([
      "chart cert-manager: cainjector.resources does not set cpu and memory requests and limits",
    ]);
    expect(run("cert-manager", { ...values, cainjector: { enabled: false } })).toEqual([]);
  });

  it("fails a Longhorn chart without longhornManager.resources", () => {
    expect(run("longhorn", {})).toEqual([
      "chart longhorn: longhornManager.resources does not set cpu and memory requests and limits",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { estimateCost, quantityToGiB } from "../../components/cost/estimate";
import { EUR_TO_USD } from "../../components/cost/prices";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, toRawConfig } from "../helpers/config-fixtures";

const config = (change: (c: Record<string, unknown>) => void = () => {}) => {
  const project = baseProjectConfig();
  change(project);
  return parseStackConfig(toRawConfig(project), "test", { checkSecrets: false });
};

describe("cost estimate", () => {
  it("prices the AX41 in USD from its dated EUR price", () => {
    const cost = estimateCost(config());
    const node = cost.lines.find((l) => l.item.startsWith("node ax41-1"));
    expect(node?.monthlyUsd).toBeCloseTo(38 * EUR_TO_USD.rate, 2);
    expect(node?.basis).toContain("38 EUR/month");
  });

  it("charges custom hostnames only past the first 100", () => {
    const many = config((c) => {
      c.tenants = [{ slug: "big", domains: Array.from({ length: 103 }, (_, i) => `d${i}.example.net`) }];
    });
    const line = estimateCost(many).lines.find((l) => l.item.includes("custom hostnames"));
    expect(line).toMatchObject({ quantity: 103, monthlyUsd: 0.3 });
    expect(estimateCost(many).warnings).toEqual([
      "103 custom hostnames: 3 past the 100 free ones cost $0.1 each",
    ]);
  });

  it("flags a stack over its budget", () => {
    const cost = estimateCost(config((c) => (c.budget = { monthlyUsd: 10 })));
    expect(cost.withinBudget).toBe(false);
    expect(cost.totalUsd).toBeGreaterThan(10);
  });

  it("warns about a server type without a price instead of guessing", () => {
    const cost = estimateCost(
      config((c) => {
        c.nodes = [{ name: "x", kind: "cloud", serverType: "ccx63", location: "fsn1" }];
      }),
    );
    expect(cost.warnings).toEqual(["node x: no price for ccx63; add it to components/cost/prices.ts"]);
  });

  it("converts Kubernetes quantities to GiB", () => {
    expect(quantityToGiB("512Mi")).toBe(0.5);
    expect(quantityToGiB("2Ti")).toBe(2048);
    expect(quantityToGiB("bogus")).toBe(0);
  });
});

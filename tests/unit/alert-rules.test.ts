import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { alertRules, renderPrometheusRule } from "../../components/observability/alert-rules";

/** Syntax errors of a PromQL expression, by Prometheus's own grammar (the one its UI uses). */
function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`error at ${node.from}: ${expr.slice(Math.max(0, node.from - 10), node.to + 10)}`);
    },
  });
  return errors;
}

const rules = alertRules({ baseBackupHours: 26 });

describe("alert rules", () => {
  it("cover backups, WAL archiving, Longhorn, disk, the tunnel, Janua and certificates", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "PostgresBaseBackupTooOld",
      "PostgresBackupFailed",
      "PostgresWalArchivingFailing",
      "LonghornVolumeDegraded",
      "LonghornVolumeFaulted",
      "NodeDiskAlmostFull",
      "CloudflaredNoConnection",
      "JanuaNotReady",
      "CertificateNotReady",
    ]);
  });

  it.each(rules.map((r) => [r.alert, r.expr]))("%s is valid PromQL", (_, expr) => {
    expect(promqlErrors(expr)).toEqual([]);
  });

  it("the grammar used here rejects a broken expression", () => {
    expect(promqlErrors('max by (namespace) (foo{a="b"')).not.toEqual([]);
  });

  it("takes the backup age and disk limits from the thresholds", () => {
    const custom = alertRules({ baseBackupHours: 48, diskPercent: 90 });
    expect(custom.find((r) => r.alert === "PostgresBaseBackupTooOld")?.expr).toMatch(/> 172800$/);
    expect(custom.find((r) => r.alert === "NodeDiskAlmostFull")?.expr).toMatch(/\* 100 > 90$/);
  });

  it("renders a PrometheusRule that validates against the prometheus-operator schema", () => {
    const manifest = renderPrometheusRule(rules, "monitoring") as {
      spec: { groups: { rules: { labels: object }[] }[] };
    };
    expect(() => new PrometheusRule(manifest as never).validate()).not.toThrow();
    expect(manifest.spec.groups[0]?.rules.every((r) => "severity" in r.labels)).toBe(true);
  });
});

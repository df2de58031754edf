import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { alertRules, renderPrometheusRule } from "../../components/observability/alert-rules";
import { requireBinary } from "../helpers/binaries";

/** `promtool check rules` on the rendered rule groups (expressions, durations, annotation templates). */
function promtool(spec: unknown): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.yml");
  writeFileSync(file, stringify(spec));
  const r = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

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
  it("cover backups, WAL archiving, Longhorn, disk, the tunnel, Janua, certificates and public hostnames", () => {
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
      "PublicHostnameDown",
      "CustomHostnameNotActive",
      "EdgeCertificateExpiringSoon",
    ]);
  });

  it.each(rules.map((r) => [r.alert, r.expr]))("%s is valid PromQL", (_, expr) => {
    expect(promqlErrors(expr)).toEqual([]);
  });

  it("the grammar used here rejects a broken expression", () => {
    expect(promqlErrors('max by (namespace) (foo{a="b"')).not.toEqual([]);
  });

  it("pass promtool check rules, annotation templates included", (ctx) => {
    requireBinary("promtool", ctx);
    const ok = promtool((renderPrometheusRule(rules, "monitoring") as { spec: unknown }).spec);
    expect(ok.status, ok.output).toBe(0);
    expect(ok.output).toContain(`SUCCESS: ${rules.length} rules found`);
    const broken = rules.map((r, i) => (i === 0 ? { ...r, summary: "{{ $value | humanizeDuration }" } : r));
    const bad = promtool((renderPrometheusRule(broken, "monitoring") as { spec: unknown }).spec);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/PostgresBaseBackupTooOld.*annotation "summary"/);
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

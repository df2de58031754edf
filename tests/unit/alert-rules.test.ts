import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  type AlertRule,
  alertRules,
  renderPrometheusRule,
  SIGNALS,
} from "../../components/observability/alert-rules";
import { ALERT_CASES, type AlertCase, RULE_OPTIONS } from "../helpers/alert-cases";
import { requireBinary } from "../helpers/binaries";
import { scrapedSeries, series } from "../helpers/exporter-metrics";

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

/** Every vector selector of an expression: metric name, matcher label names, enclosing `by` labels. */
function selectors(expr: string): { metric: string; labels: string[]; grouping: string[] }[] {
  const found: { metric: string; labels: string[]; grouping: string[] }[] = [];
  const groupingStack: string[][] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      const text = expr.slice(node.from, node.to);
      if (node.type.name === "AggregateExpr") {
        const by = /^\w+\s+by\s*\(([^)]*)\)/.exec(text);
        groupingStack.push(by ? (by[1] as string).split(",").map((l) => l.trim()) : []);
      }
      if (node.type.name === "VectorSelector") {
        const metric = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text)?.[0] ?? "";
        const labels = [...text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map(
          (m) => m[1] as string,
        );
        found.push({ metric, labels, grouping: groupingStack.flat() });
      }
    },
    leave: (node) => {
      if (node.type.name === "AggregateExpr") groupingStack.pop();
    },
  });
  return found;
}

/** Hours of a promtool duration such as `30h` or `90m`. */
const hours = (d: string) => Number(d.slice(0, -1)) / (d.endsWith("m") ? 60 : 1);

/**
 * A promtool `test rules` file for the cases, against `rules.yml`. Cases evaluated after hours
 * sample and evaluate every 5 minutes (within the 5 min lookback, so no series goes stale).
 */
function promtoolTests(cases: readonly AlertCase[], rules: readonly AlertRule[], interval: string): string {
  const severity = new Map(rules.map((r) => [r.alert, r.severity]));
  return stringify({
    rule_files: ["rules.yml"],
    evaluation_interval: interval,
    tests: cases.map((c) => ({
      name: `${c.alert}: ${c.name}`,
      interval,
      input_series: c.input.map(([series, values]) => ({ series, values })),
      alert_rule_test: [
        {
          eval_time: c.eval,
          alertname: c.alert,
          exp_alerts: c.fires.map((labels) => ({
            exp_labels: { ...labels, severity: severity.get(c.alert) },
          })),
        },
      ],
    })),
  });
}

/** Runs `promtool test rules` on the cases with these rules. */
function promtoolTest(cases: readonly AlertCase[], rules: readonly AlertRule[]) {
  const dir = mkdtempSync(join(tmpdir(), "rule-tests-"));
  // Labels only: promtool compares annotations too, and their templates are checked above.
  const spec = {
    groups: [
      {
        name: "enclii",
        rules: rules.map((r) => ({
          alert: r.alert,
          expr: r.expr,
          for: r.for,
          labels: { severity: r.severity },
        })),
      },
    ],
  };
  writeFileSync(join(dir, "rules.yml"), stringify(spec));
  const long = cases.filter((c) => hours(c.eval) >= 4);
  writeFileSync(
    join(dir, "short.yml"),
    promtoolTests(
      cases.filter((c) => !long.includes(c)),
      rules,
      "1m",
    ),
  );
  writeFileSync(join(dir, "long.yml"), promtoolTests(long, rules, "5m"));
  const r = spawnSync("promtool", ["test", "rules", "short.yml", "long.yml"], { cwd: dir, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const rules = alertRules(RULE_OPTIONS);

describe("alert rules", () => {
  it("cover backups, WAL archiving, Longhorn, etcd snapshots, disk, the tunnel, Janua, certificates and public hostnames", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "PostgresBaseBackupTooOld",
      "PostgresBackupFailed",
      "PostgresBackupMetricsAbsent",
      "PostgresWalArchivingFailing",
      "PostgresWalArchivingStalled",
      "LonghornVolumeDegraded",
      "LonghornVolumeFaulted",
      "LonghornBackupFailed",
      "LonghornVolumeBackupTooOld",
      "EtcdSnapshotTooOld",
      "EtcdSnapshotUploadFailing",
      "NodeDiskAlmostFull",
      "CloudflaredNoConnection",
      "JanuaNotReady",
      "CertificateNotReady",
      "CertificateExpiringSoon",
      "PublicHostnameDown",
      "CustomHostnameNotActive",
      "EdgeCertificateExpiringSoon",
    ]);
  });

  // Every metric and label a rule reads must be one an exporter really exposes, as scraped here
  // (tests/helpers/exporter-metrics.ts cites each exporter's source and version).
  it.each(rules.map((r) => [r.alert, r.expr]))(
    "%s reads only metrics and labels the exporters expose",
    (_, expr) => {
      const scraped = scrapedSeries();
      const problems: string[] = [];
      for (const sel of selectors(expr)) {
        const candidates = scraped.filter((s) => s.name === sel.metric);
        if (candidates.length === 0) {
          problems.push(`${sel.metric}: no exporter exposes it`);
          continue;
        }
        const known = new Set(candidates.flatMap((s) => Object.keys(s.labels)));
        for (const l of [...sel.labels, ...sel.grouping])
          if (!known.has(l))
            problems.push(`${sel.metric} has no label ${l} (it has ${[...known].sort().join(", ")})`);
      }
      expect(problems).toEqual([]);
    },
  );

  it("the exporter check refuses the old Longhorn rule's shape and cert-manager's scraped namespace", () => {
    const scraped = scrapedSeries();
    const cert = scraped.find((s) => s.name === "certmanager_certificate_ready_status");
    expect(cert?.labels.namespace).toBe("cert-manager");
    expect(cert?.labels.exported_namespace).toBe("cnpg-system");
    const robustness = scraped.filter((s) => s.name === "longhorn_volume_robustness");
    expect(robustness.map((s) => s.labels.state).sort()).toEqual([
      "degraded",
      "faulted",
      "healthy",
      "unknown",
    ]);
    expect(selectors('max by (volume, node_id) (longhorn_volume_robustness{status="degraded"})')).toEqual([
      { metric: "longhorn_volume_robustness", labels: ["status"], grouping: ["volume", "node_id"] },
    ]);
  });

  it("has a firing and a non-firing promtool case for every alert", () => {
    for (const r of rules) {
      const cases = ALERT_CASES.filter((c) => c.alert === r.alert);
      expect(
        cases.some((c) => c.fires.length > 0),
        `${r.alert} has no firing case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.fires.length === 0),
        `${r.alert} has no non-firing case`,
      ).toBe(true);
    }
  });

  it("every rule fires on its firing series and stays quiet on the others (promtool test rules)", (ctx) => {
    requireBinary("promtool", ctx);
    const r = promtoolTest(ALERT_CASES, rules);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  }, 180_000);

  it("promtool fails the Longhorn case against the old `== 3` rule (the value is 0/1, the state a label)", (ctx) => {
    requireBinary("promtool", ctx);
    const old = rules.map((x) =>
      x.alert === "LonghornVolumeFaulted"
        ? { ...x, expr: "max by (volume) (longhorn_volume_robustness) == 3" }
        : x,
    );
    const r = promtoolTest(
      ALERT_CASES.filter((c) => c.alert === "LonghornVolumeFaulted"),
      old,
    );
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("LonghornVolumeFaulted: the faulted state series is 1");
  });

  it("the dashboard counts degraded and faulted Longhorn volumes, not detached ones (robustness unknown)", (ctx) => {
    requireBinary("promtool", ctx);
    // longhorn-manager v1.12.1 controller/volume_controller.go 3213-3218: a detached volume that is
    // not faulted has robustness unknown; volume_collector.go emits one 0/1 series per state.
    const states = {
      "pvc-detached": "unknown",
      "pvc-healthy": "healthy",
      "pvc-degraded": "degraded",
      "pvc-faulted": "faulted",
    };
    const input_series = Object.entries(states).flatMap(([volume, state]) =>
      ["unknown", "healthy", "degraded", "faulted"].map((s) => ({
        series: series("longhorn_volume_robustness", { state: s }, { volume }),
        values: s === state ? "1x10" : "0x10",
      })),
    );
    const dir = mkdtempSync(join(tmpdir(), "dashboard-signal-"));
    writeFileSync(join(dir, "rules.yml"), stringify({ groups: [] }));
    const file = join(dir, "signal.yml");
    writeFileSync(
      file,
      stringify({
        rule_files: ["rules.yml"],
        tests: [
          {
            interval: "1m",
            input_series,
            promql_expr_test: [
              {
                expr: SIGNALS.longhornVolumesNotHealthy,
                eval_time: "5m",
                exp_samples: [{ labels: "{}", value: 2 }],
              },
            ],
          },
        ],
      }),
    );
    const r = spawnSync("promtool", ["test", "rules", file], { encoding: "utf8", cwd: dir });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
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

  it("takes the backup age, WAL, etcd, Longhorn and disk limits from the thresholds", () => {
    const custom = alertRules({
      baseBackupHours: 48,
      diskPercent: 90,
      walMinutes: 30,
      etcdSnapshotHours: 7,
      longhornBackupHours: 50,
      postgresNamespaces: ["data", "janua-acme"],
    });
    const expr = (name: string) => custom.find((r) => r.alert === name)?.expr ?? "";
    expect(expr("PostgresBaseBackupTooOld")).toMatch(/> 172800$/);
    expect(expr("NodeDiskAlmostFull")).toMatch(/\* 100 > 90$/);
    expect(expr("PostgresWalArchivingStalled")).toContain("> 1800");
    expect(expr("EtcdSnapshotTooOld")).toContain("[25200s]");
    expect(expr("LonghornVolumeBackupTooOld")).toContain("> 180000");
    expect(expr("PostgresBackupMetricsAbsent")).toContain('{namespace="janua-acme"}');
  });

  it("leaves out the etcd snapshot rules on a cluster whose k3s the program does not install", () => {
    const names = alertRules({ baseBackupHours: 26, etcdSnapshots: false }).map((r) => r.alert);
    expect(names).not.toContain("EtcdSnapshotTooOld");
    expect(names).not.toContain("EtcdSnapshotUploadFailing");
    expect(names).toContain("PostgresBaseBackupTooOld");
  });

  it("renders a PrometheusRule that validates against the prometheus-operator schema", () => {
    const manifest = renderPrometheusRule(rules, "monitoring") as {
      spec: { groups: { rules: { labels: object }[] }[] };
    };
    expect(() => new PrometheusRule(manifest as never).validate()).not.toThrow();
    expect(manifest.spec.groups[0]?.rules.every((r) => "severity" in r.labels)).toBe(true);
  });
});

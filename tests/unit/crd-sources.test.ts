import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CRD_SOURCES, stripHelmTemplate } from "../../scripts/lib/crd-sources";
import { crdSchemasDir } from "../helpers/k8s-validate";

describe("CRD sources for runners without ../shared/crds", () => {
  it("name the same files as the CRD folder the tests read, each from an https URL", () => {
    for (const s of CRD_SOURCES) expect(s.url).toMatch(/^https:\/\/github\.com\//);
    const dir = crdSchemasDir();
    const expected = existsSync(dir)
      ? readdirSync(dir).filter((f) => f.endsWith(".yaml"))
      : CRD_SOURCES.map((s) => s.file); // without the folder, at least the names must be unique
    expect(CRD_SOURCES.map((s) => s.file).sort()).toEqual([...new Set(expected)].sort());
  });

  it("drops Helm template lines from a chart's CRD template and keeps the rest", () => {
    const template = [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata:",
      '  labels: {{- include "longhorn.labels" . | nindent 4 }}',
      '    longhorn-manager: ""',
      "  name: volumes.longhorn.io",
    ].join("\n");
    expect(stripHelmTemplate(template)).toBe(
      [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata:",
        '    longhorn-manager: ""',
        "  name: volumes.longhorn.io",
      ].join("\n"),
    );
  });
});

import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CRD_SOURCES, stripHelmTemplate } from "../../scripts/lib/crd-sources";
import { crdSchemasDir } from "../helpers/k8s-validate";

describe("CRD sources for runners without ../shared/crds", () => {
  it("every source is an https URL on github.com with a unique file name", () => {
    for (const s of CRD_SOURCES) expect(s.url).toMatch(/^https:\/\/github\.com\//);
    const files = CRD_SOURCES.map((s) => s.file);
    expect(new Set(files).size).toBe(files.length);
  });

  it("name the same files as the CRD folder the tests read", (ctx) => {
    const dir = crdSchemasDir();
    if (!existsSync(dir)) {
      const missing = `CRD schemas folder ${dir} does not exist (set CRD_SCHEMAS_DIR)`;
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    const expected = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(CRD_SOURCES.map((s) => s.file).sort()).toEqual(expected.sort());
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

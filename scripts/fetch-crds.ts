/**
 * `npm run crds:fetch -- [--out <dir>]` (default `.crds/`): downloads the upstream CRDs the stack
 * tests validate custom resources against, for machines without `../shared/crds`. Then run the
 * tests with `CRD_SCHEMAS_DIR=<dir>`. Retries each download; exits 1 naming the file that failed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CRD_SOURCES, stripHelmTemplate } from "./lib/crd-sources";

async function download(url: string): Promise<string> {
  let last: unknown;
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30_000) });
      if (res.ok) return await res.text();
      last = new Error(`HTTP ${res.status}`);
      if (res.status < 500 && res.status !== 429) break;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
  throw last;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const out = resolve(values.out ?? ".crds");
  mkdirSync(out, { recursive: true });
  for (const source of CRD_SOURCES) {
    try {
      const text = await download(source.url);
      writeFileSync(join(out, source.file), source.helmTemplate ? stripHelmTemplate(text) : text);
      process.stdout.write(`${source.file} <- ${source.url}\n`);
    } catch (e) {
      process.stderr.write(`crds:fetch: ${source.file} from ${source.url}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  process.stdout.write(`CRD_SCHEMAS_DIR=${out}\n`);
  return 0;
}

main().then((code) => process.exit(code));

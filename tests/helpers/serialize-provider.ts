/**
 * Serializes a dynamic provider exactly as `pulumi up` does (`pulumi.runtime.serializeFunction`
 * of a factory returning the provider), in a separate process that compiles the TypeScript
 * like the Pulumi CLI does, and writes the text to a file.
 *
 *   tsx tests/helpers/serialize-provider.ts <module path> <export name> <out file>
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";

async function main(): Promise<void> {
  const [modulePath, exportName, outFile] = process.argv.slice(2);
  if (!modulePath || !exportName || !outFile)
    throw new Error("usage: serialize-provider <module> <export> <out>");
  const mod = (await import(resolve(modulePath))) as Record<string, unknown>;
  const provider = mod[exportName];
  if (!provider) throw new Error(`${modulePath} has no export ${exportName}`);
  // Same call as @pulumi/pulumi/dynamic serializeProvider().
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  writeFileSync(outFile, serialized.text);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

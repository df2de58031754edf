/**
 * A deployed stack's outputs for the operations scripts: from `pulumi stack output --json
 * --show-secrets` (needs the CLI and a login) or from a file saved that way.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Reads the outputs of `--stack <name>` or `--outputs <file>`. */
export function readStackOutputs(values: { stack?: string; outputs?: string }, usage: string): unknown {
  if (values.outputs) return JSON.parse(readFileSync(values.outputs, "utf8"));
  if (values.stack) {
    const text = execFileSync(
      "pulumi",
      ["stack", "output", "--json", "--show-secrets", "--stack", values.stack],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    return JSON.parse(text);
  }
  throw new Error(`--stack or --outputs is required\n${usage}`);
}

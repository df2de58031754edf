// Loads a serialized dynamic provider the way the Pulumi dynamic provider host does
// (require the text, call its `handler` factory) and runs a list of operations from argv[3]
// (JSON). Prints the results as JSON. Plain Node: no TypeScript, no test runner.
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const [file, opsJson] = process.argv.slice(2);
  const text = fs.readFileSync(file, "utf8");
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(text, file);
  const provider = m.exports.handler();
  const results = [];
  for (const op of JSON.parse(opsJson)) {
    results.push(await provider[op.method](...op.args));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});

// Loads serialized dynamic providers the way the Pulumi dynamic provider host does (require the
// text, call its `handler` factory, once per text for the whole process) and runs a list of
// operations from argv[3] (JSON). argv[2] is one file, or a JSON array of files that `provider`
// (an index) picks from. `{ "parallel": [ops] }` runs its operations at once, as the engine does
// for independent resources. Prints the results as JSON. Plain Node: no TypeScript, no test runner.
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

function load(file) {
  const text = fs.readFileSync(file, "utf8");
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(text, file);
  return m.exports.handler();
}

async function main() {
  const [fileArg, opsJson] = process.argv.slice(2);
  const files = fileArg.startsWith("[") ? JSON.parse(fileArg) : [fileArg];
  const providers = files.map(load);
  const run = (op) => providers[op.provider ?? 0][op.method](...op.args);
  const results = [];
  for (const op of JSON.parse(opsJson)) {
    results.push(op.parallel ? await Promise.all(op.parallel.map(run)) : await run(op));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});

// Validates an AsyncAPI document with AsyncAPI's own parser (@asyncapi/parser, the library
// behind `asyncapi validate`), relative $refs included. Prints every diagnostic; exits 1
// when one is an error, 2 on bad usage.
//   node scripts/asyncapi-validate.mjs docs/asyncapi.yaml
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(process.env.TRP_ASYNCAPI_PREFIX + '/node_modules/');
const { Parser, fromFile } = require('@asyncapi/parser');
const { DiagnosticSeverity } = require('@stoplight/types');

const file = process.argv[2];
if (!file) {
  console.error('usage: asyncapi-validate.mjs <document>');
  process.exit(2);
}
readFileSync(file); // a missing file is an error here, not a diagnostic
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, resolve(file)).parse();
const names = { 0: 'error', 1: 'warning', 2: 'information', 3: 'hint' };
for (const d of diagnostics) {
  const at = d.path && d.path.length ? d.path.join('.') : '(document)';
  console.log(`${names[d.severity] ?? d.severity}: ${at}: ${d.message} [${d.code}]`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  console.error(`${file}: not a valid AsyncAPI document (${errors.length} errors)`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}: ` +
  `${document.channels().length} channels, ${document.operations().length} operations, ` +
  `${document.messages().length} messages`);

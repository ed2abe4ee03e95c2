// Reads an AsyncAPI document with the official parser (@asyncapi/parser), as a foreign
// node's tooling would, and prints every diagnostic: `severity path message`, one a line.
// Then what a foreign node needs of this contract, through the parser's model: an AMQP
// binding on every channel and operation, the headers and correlation id on every message,
// and an example for every message that its payload schema accepts (checked with Ajv)
// (`error contract …` for each one missing or wrong). Exit status 1 when the document does not
// parse, has an error, or misses any of these; 0 otherwise (warnings are printed but do not
// fail).
//
// Usage: node check.mjs docs/asyncapi.yaml
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const file = process.argv[2];
if (!file) {
  console.error('usage: node check.mjs <asyncapi document>');
  process.exit(2);
}
const names = { 0: 'error', 1: 'warning', 2: 'information', 3: 'hint' };
const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'), {
  source: file,
});
for (const d of diagnostics) {
  console.log(`${names[d.severity]} ${d.path.join('.') || '/'} ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  console.log(`${file}: ${errors.length} error(s); not a valid AsyncAPI document`);
  process.exit(1);
}
const missing = [];
for (const c of document.channels().all()) {
  if (!c.bindings().has('amqp')) missing.push(`channel ${c.id()} has no AMQP binding`);
}
for (const o of document.operations().all()) {
  if (!o.bindings().has('amqp')) missing.push(`operation ${o.id()} has no AMQP binding`);
}
for (const m of document.messages().all()) {
  if (!m.hasHeaders()) missing.push(`message ${m.id()} declares no headers`);
  if (!m.hasCorrelationId()) missing.push(`message ${m.id()} has no correlation id`);
}
// The parser adds keys of its own (`x-parser-…`) to the schemas it resolves: not strict.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const m of document.messages().all()) {
  const examples = m.examples().all();
  if (examples.length === 0) missing.push(`message ${m.id()} has no example`);
  const valid = ajv.compile(m.payload().json());
  for (const ex of examples) {
    if (!valid(ex.payload())) {
      const why = valid.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      missing.push(`message ${m.id()} example ${ex.name()} does not match its schema: ${why}`);
    }
  }
}
for (const line of missing) console.log(`error contract ${line}`);
if (missing.length > 0) {
  console.log(`${file}: ${missing.length} thing(s) a foreign node needs are missing`);
  process.exit(1);
}
console.log(
  `${file}: AsyncAPI ${document.version()}, ${document.channels().length} channels, ` +
    `${document.operations().length} operations, ${document.messages().length} messages`,
);

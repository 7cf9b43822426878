/**
 * Requests every run sends before its random ones, so that the bounded run never misses the
 * deep-nesting class: for each operation with a JSON body, each body field in turn (and each
 * object field's content) nested 10,000 levels deep, the other required fields filled with their
 * documented examples; and a signed webhook nested as deep, then a read of the event it stored.
 */
import fc from 'fast-check';
import { deepJson } from './hostile.ts';
import { conforming, type JsonSchema, type SchemaOptions } from './json-schema-arbitrary.ts';
import { idPrefixOf, type OpenApiOperation } from './openapi-operations.ts';
import { type FuzzRequest, Known, type Part } from './request.ts';

const DEPTH = 10_000;

/** The nesting cases of `operations`; `kindOf` names the pool of a parameter (see vocabulary.ts). */
export function deepEdgeCases(
  operations: OpenApiOperation[],
  schemaOptions: SchemaOptions,
  kindOf: (name: string, idPrefix: string | null) => string | null,
): FuzzRequest[] {
  const cases: FuzzRequest[] = [];
  for (const operation of operations) {
    if (!operation.body || operation.auth !== 'bearerAuth') continue;
    const body = resolved(operation.body, schemaOptions);
    const properties = (body.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((body.required ?? []) as string[]);
    const filled: Record<string, unknown> = {};
    for (const name of required) filled[name] = exampleOf(properties[name] ?? true, schemaOptions);
    const path = pathOf(operation, kindOf);
    const send = (value: unknown): FuzzRequest => ({
      target: operation.id,
      method: operation.method,
      principal: 'dev',
      path,
      query: [],
      headers: [['content-type', 'application/json']],
      body: { kind: 'json', value },
    });
    if (Object.keys(properties).length === 0) {
      cases.push(send({ nested: deepJson(DEPTH, 'mixed') }));
      continue;
    }
    for (const [name, schema] of Object.entries(properties)) {
      cases.push(send({ ...filled, [name]: deepJson(DEPTH, 'mixed') }));
      const inner = resolved(schema, schemaOptions);
      if (inner.type === 'object' || inner.additionalProperties !== undefined) {
        cases.push(send({ ...filled, [name]: { nested: deepJson(DEPTH, 'array') } }));
      }
    }
  }
  cases.push(
    {
      target: 'webhook intake (signed)',
      method: 'POST',
      principal: 'none',
      path: ['/webhooks/', new Known('target:environment', 0), '/', new Known('target:signedWebhookKey', 0)],
      query: [],
      headers: [['content-type', 'application/json']],
      body: { kind: 'json', value: { id: 'evt_deep', nested: deepJson(DEPTH, 'object') } },
      sign: true,
    },
    {
      target: 'getInboundEvent',
      method: 'GET',
      principal: 'dev',
      // The newest inbound event: the one the delivery above stored.
      path: ['/v1/inbound-events/', new Known('target:in', -1)],
      query: [],
      headers: [],
      body: { kind: 'none' },
    },
  );
  return cases;
}

function resolved(schema: JsonSchema, options: SchemaOptions): Record<string, unknown> {
  let current = schema;
  for (let hops = 0; typeof current === 'object' && typeof current.$ref === 'string' && hops < 10; hops++) {
    current = options.resolve(current.$ref) ?? {};
  }
  return typeof current === 'object' ? current : {};
}

/** The documented example of a field, else a value its schema accepts (the same one every run). */
function exampleOf(schema: JsonSchema, options: SchemaOptions): unknown {
  const s = resolved(schema, options);
  if ('example' in s) return s.example;
  return fc.sample(conforming(s, { ...options, deep: false }), { numRuns: 1, seed: 1 })[0];
}

/** The operation's path with the target rows' ids (and known names) in its parameters. */
function pathOf(
  operation: OpenApiOperation,
  kindOf: (name: string, idPrefix: string | null) => string | null,
): Part[] {
  const parts: Part[] = [];
  let rest = operation.path;
  for (const param of operation.parameters.filter((p) => p.in === 'path')) {
    const marker = `{${param.name}}`;
    const at = rest.indexOf(marker);
    const kind = kindOf(param.name, idPrefixOf(param.example));
    const values = (param.schema as { enum?: unknown[] }).enum;
    parts.push(rest.slice(0, at), kind ? new Known(`target:${kind}`, 0) : String(values?.[0] ?? 'x'));
    rest = rest.slice(at + marker.length);
  }
  parts.push(rest);
  return parts;
}

/**
 * Requests for one OpenAPI operation: a principal, path parameters, query values and a body,
 * each schema-conforming (to get past validation into the handler) or hostile.
 */
import fc from 'fast-check';
import { contentType, rawBody } from './bodies.ts';
import { hostileLeaf, unicodeEdge } from './hostile.ts';
import { conforming, hostile, type JsonSchema, type SchemaOptions } from './json-schema-arbitrary.ts';
import { idPrefixOf, type OpenApiOperation, type OpenApiParameter } from './openapi-operations.ts';
import { RawJson } from './raw-json.ts';
import {
  allowedCategories,
  type FuzzBody,
  type FuzzRequest,
  isMutating,
  Known,
  type Part,
  type Principal,
} from './request.ts';
import { headerSafe, hostileHeaderValue, hostileSegment, idLike, percentEncode } from './url-parts.ts';

export interface FuzzOptions {
  /** The engine's body limit: some bodies are made just under and just over it. */
  bodyLimit: number;
  /** Whether hostile values include nesting thousands of levels deep. */
  deep: boolean;
  /** The pool kind of a parameter or field (`conn`, `integration`, `sync`…), or null for none. */
  kindOf(name: string, idPrefix: string | null): string | null;
  /** Further candidates for a body field of this name (URLs for `url`…), or undefined. */
  fieldValues?(name: string): fc.Arbitrary<unknown> | undefined;
  resolve(ref: string): JsonSchema | undefined;
}

/** Junk credentials: malformed, unknown, of the wrong kind, or huge. */
export const garbagePrincipal: fc.Arbitrary<Principal> = fc
  .oneof(
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearer a b', 'bearer   x  '),
    fc.string({ maxLength: 40 }).map((text) => `Bearer pb_sk_dev_${text}`),
    fc.string({ maxLength: 40 }).map((text) => `Bearer pb_cst_${text}`),
    unicodeEdge.map((text) => `Bearer ${text}`),
    fc.constant(`Bearer ${'k'.repeat(6_000)}`),
  )
  .map((header) => ({ garbage: headerSafe(header) }));

/** Mostly the credential the operation declares; sometimes another, none or junk. */
export function principalFor(auth: OpenApiOperation['auth']): fc.Arbitrary<Principal> {
  const usual: Principal = auth === 'connectSession' ? 'session' : auth === 'none' ? 'none' : 'dev';
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(usual) },
    { weight: 2, arbitrary: fc.constantFrom<Principal>('dev', 'prod', 'session', 'none') },
    { weight: 1, arbitrary: garbagePrincipal },
  );
}

/** A Known pick of `kind` from the pools this principal may send to this kind of operation. */
export function knownPick(kind: string, principal: Principal, mutating: boolean): fc.Arbitrary<Known> {
  // Mostly the fuzzer's own rows, whose handlers then run to the end; protected ones less often.
  const category = fc.oneof(
    ...allowedCategories(principal, mutating).map((name) => ({
      weight: name === 'target' ? 4 : 1,
      arbitrary: fc.constant(name),
    })),
  );
  return fc.tuple(category, fc.nat()).map(([chosen, index]) => new Known(`${chosen}:${kind}`, index));
}

/**
 * `build`, made once per distinct set of pools a principal may use: arbitraries are costly to
 * build (regular expressions, nested schemas), so not once per request.
 */
export function builtOncePerPools<T>(
  mutating: boolean,
  build: (principal: Principal) => fc.Arbitrary<T>,
): (principal: Principal) => fc.Arbitrary<T> {
  const built = new Map<string, fc.Arbitrary<T>>();
  return (principal) => {
    const key = allowedCategories(principal, mutating).join();
    let arbitrary = built.get(key);
    if (!arbitrary) {
      arbitrary = build(principal);
      built.set(key, arbitrary);
    }
    return arbitrary;
  };
}

type Unsigned = Omit<FuzzRequest, 'principal'>;

/** Requests for `operation`. */
export function operationRequests(
  operation: OpenApiOperation,
  options: FuzzOptions,
): fc.Arbitrary<FuzzRequest> {
  const mutating = isMutating(operation.method);
  const forPrincipal = builtOncePerPools(mutating, (principal) =>
    parts(operation, options, principal, mutating),
  );
  return principalFor(operation.auth).chain((principal) =>
    forPrincipal(principal).map((request): FuzzRequest => ({ ...request, principal })),
  );
}

function parts(
  operation: OpenApiOperation,
  options: FuzzOptions,
  principal: Principal,
  mutating: boolean,
): fc.Arbitrary<Unsigned> {
  const schemaOptions = schemaOptionsFor(options, principal, mutating);
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  return fc
    .record({
      params: fc.tuple(...pathParams.map((p) => pathValue(p, principal, mutating, options, schemaOptions))),
      query: queryOf(queryParams, principal, mutating, options, schemaOptions),
      body: bodyOf(operation.body, options, schemaOptions),
      headers: extraHeaders,
      // Every GET route answers HEAD too (Fastify adds it): the same handler, the body dropped.
      method:
        operation.method === 'GET'
          ? fc.oneof(
              { weight: 9, arbitrary: fc.constant('GET') },
              { weight: 1, arbitrary: fc.constant('HEAD') },
            )
          : fc.constant(operation.method),
    })
    .map(({ params, query, body, headers, method }) => ({
      target: operation.id,
      method,
      path: pathParts(operation.path, pathParams, params),
      query,
      headers: [...headers, ...body.headers],
      body: body.body,
    }));
}

function schemaOptionsFor(options: FuzzOptions, principal: Principal, mutating: boolean): SchemaOptions {
  return {
    resolve: options.resolve,
    hugeMax: options.bodyLimit - 1_024,
    deep: options.deep,
    hint(name) {
      const kind = options.kindOf(name, null);
      const known = kind ? knownPick(kind, principal, mutating) : undefined;
      const extra = options.fieldValues?.(name);
      if (known && extra) return fc.oneof(known, extra);
      return known ?? extra;
    },
  };
}

/** `/v1/connections/{id}/syncs/{sync}` with its values → literal and Known parts. */
function pathParts(template: string, params: OpenApiParameter[], values: Part[]): Part[] {
  const parts: Part[] = [];
  let rest = template;
  params.forEach((param, index) => {
    const marker = `{${param.name}}`;
    const at = rest.indexOf(marker);
    parts.push(rest.slice(0, at), values[index]!);
    rest = rest.slice(at + marker.length);
  });
  parts.push(rest);
  return parts;
}

function pathValue(
  param: OpenApiParameter,
  principal: Principal,
  mutating: boolean,
  options: FuzzOptions,
  schemaOptions: SchemaOptions,
): fc.Arbitrary<Part> {
  const prefix = idPrefixOf(param.example);
  const kind = options.kindOf(param.name, prefix);
  const fromSchema = conforming(param.schema, schemaOptions).map((v) => percentEncode(textOf(v)));
  return fc.oneof(
    ...(kind ? [{ weight: 8, arbitrary: knownPick(kind, principal, mutating) as fc.Arbitrary<Part> }] : []),
    // An id's schema is only "string": ids that look right (or nearly) say more than text does.
    ...(prefix
      ? [
          { weight: 1, arbitrary: fromSchema },
          { weight: 2, arbitrary: idLike(prefix).map(percentEncode) },
        ]
      : [{ weight: 6, arbitrary: fromSchema }]),
    { weight: 2, arbitrary: hostileSegment },
  );
}

function queryOf(
  params: OpenApiParameter[],
  principal: Principal,
  mutating: boolean,
  options: FuzzOptions,
  schemaOptions: SchemaOptions,
): fc.Arbitrary<Array<[string, Part]>> {
  const entries = params.map((param) => {
    const kind = options.kindOf(param.name, idPrefixOf(param.example));
    const candidates = options.fieldValues?.(param.name);
    const value: fc.Arbitrary<Part> = fc.oneof(
      ...(kind ? [{ weight: 4, arbitrary: knownPick(kind, principal, mutating) as fc.Arbitrary<Part> }] : []),
      ...(candidates ? [{ weight: 3, arbitrary: candidates.map((v) => percentEncode(textOf(v))) }] : []),
      { weight: 6, arbitrary: conforming(param.schema, schemaOptions).map((v) => percentEncode(textOf(v))) },
      { weight: 3, arbitrary: hostile(param.schema, schemaOptions).map((v) => percentEncode(textOf(v))) },
      { weight: 1, arbitrary: hostileSegment },
    );
    return fc.option(value, { freq: 2 }).map((v) => (v === null ? [] : [[param.name, v] as [string, Part]]));
  });
  const extra = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'limit[]',
          'a[b]',
          '',
          '%00',
          ...params.map((p) => p.name),
        ),
        fc.string({ maxLength: 10 }).map(percentEncode),
      ),
      fc.oneof(fc.constantFrom('', '1', '-1', '%', '%ff', 'a&b=c'), hostileSegment),
    ) as fc.Arbitrary<[string, Part]>,
    { maxLength: 3 },
  );
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }),
    )
    .map(([known, more]) => [...known.flat(), ...more]);
}

interface BodyWithHeaders {
  body: FuzzBody;
  headers: Array<[string, Part]>;
}

function bodyOf(
  schema: JsonSchema | null,
  options: FuzzOptions,
  schemaOptions: SchemaOptions,
): fc.Arbitrary<BodyWithHeaders> {
  const json = (value: unknown): FuzzBody => ({ kind: 'json', value });
  const raw = rawBody(options.bodyLimit, options.deep).map((bytes): FuzzBody => ({ kind: 'raw', bytes }));
  const none = fc.constant<FuzzBody>({ kind: 'none' });
  const body: fc.Arbitrary<FuzzBody> = schema
    ? fc.oneof(
        { weight: 8, arbitrary: conforming(schema, schemaOptions).map(json) },
        { weight: 4, arbitrary: hostile(schema, schemaOptions).map(json) },
        { weight: 1, arbitrary: raw },
        { weight: 1, arbitrary: none },
      )
    : fc.oneof(
        { weight: 6, arbitrary: none },
        { weight: 1, arbitrary: hostileLeaf(schemaOptions).map(json) },
        { weight: 2, arbitrary: raw },
      );
  return fc.tuple(body, contentType).map(([chosen, type]) => ({
    body: chosen,
    headers: chosen.kind === 'none' || type === null ? [] : [['content-type', type]],
  }));
}

/** Headers a client may add to any request: odd request ids, idempotency keys, encodings. */
const extraHeaders: fc.Arbitrary<Array<[string, Part]>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Array<[string, Part]>>([]) },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'x-request-id',
            'idempotency-key',
            'accept',
            'content-encoding',
            'accept-encoding',
            'origin',
          ),
          fc.oneof(fc.constantFrom('gzip', 'br', 'text/html', 'application/xml', 'null'), hostileHeaderValue),
        ) as fc.Arbitrary<[string, Part]>,
        { minLength: 1, maxLength: 3 },
      )
      .map((headers) => headers.filter(([name], i) => headers.findIndex(([other]) => other === name) === i)),
  },
);

/** The text of a generated value as it would appear in a URL. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof RawJson) return value.bytes.toString('latin1').slice(0, 2_000);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? '';
}

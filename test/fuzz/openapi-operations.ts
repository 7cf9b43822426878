/**
 * The operations of an OpenAPI 3.1 document, as the fuzzer needs them: method, path template,
 * parameters with their schemas, the JSON body schema, and which credential each one takes.
 */
import type { JsonSchema } from './json-schema-arbitrary.ts';

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
  /** The documented example, e.g. `conn_01jz8x7y6w5v4t3s2r1q0p9n8m`: tells an id's prefix. */
  example: unknown;
}

export interface OpenApiOperation {
  id: string;
  method: string;
  /** OpenAPI path template: `/v1/connections/{id}`. */
  path: string;
  parameters: OpenApiParameter[];
  /** The JSON body schema, or null when the operation takes no body. */
  body: JsonSchema | null;
  /** `bearerAuth`, `connectSession`, or `none` for public operations. */
  auth: 'bearerAuth' | 'connectSession' | 'none';
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Every operation of `document`, in document order. */
export function operationsOf(document: OpenApiDocument): OpenApiOperation[] {
  const operations: OpenApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const parameters = ((operation.parameters ?? []) as Array<Record<string, unknown>>).map((p) => {
        const schema = (p.schema ?? {}) as Record<string, unknown>;
        return {
          name: String(p.name),
          in: p.in as OpenApiParameter['in'],
          required: p.required === true,
          schema,
          example: p.example ?? schema.example,
        };
      });
      const content = (operation.requestBody as { content?: Record<string, { schema?: JsonSchema }> })
        ?.content;
      const security = (operation.security ?? []) as Array<Record<string, unknown>>;
      const scheme = Object.keys(security[0] ?? {})[0];
      operations.push({
        id: typeof operation.operationId === 'string' ? operation.operationId : `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        body: content?.['application/json']?.schema ?? null,
        auth: scheme === 'bearerAuth' || scheme === 'connectSession' ? scheme : 'none',
      });
    }
  }
  return operations;
}

/** A `$ref` resolver over the document's components. */
export function refResolver(document: OpenApiDocument): (ref: string) => JsonSchema | undefined {
  return (ref) => {
    const prefix = '#/components/schemas/';
    return ref.startsWith(prefix) ? document.components?.schemas?.[ref.slice(prefix.length)] : undefined;
  };
}

/** The id prefix an example shows (`conn` of `conn_01jz…`), or null when it is not an id. */
export function idPrefixOf(example: unknown): string | null {
  if (typeof example !== 'string') return null;
  return /^([a-z]+)_[0-9a-z]{26}$/.exec(example)?.[1] ?? null;
}

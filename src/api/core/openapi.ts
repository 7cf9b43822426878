import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PACKAGE_VERSION } from '../../version.ts';

/** The package version, for the OpenAPI document and /health. */
export const API_VERSION: string = PACKAGE_VERSION;

const DESCRIPTION = `The Patchbay HTTP API. Authenticate with a secret API key of an environment:
\`Authorization: Bearer pb_sk_…\`. Every error answers \`{ "error": { "code", "message", "details"?, "requestId" } }\`.`;

/**
 * Registers @fastify/swagger so the OpenAPI 3.1 document is generated from the routes' zod
 * schemas. Must run before routes are added (it collects them as they are registered).
 */
export async function registerOpenApi(
  app: FastifyInstance,
  handWrittenPaths: Record<string, unknown> = {},
): Promise<void> {
  const toComponents = createJsonSchemaTransformObject({});
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Patchbay API', version: API_VERSION, description: DESCRIPTION },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A secret API key of an environment, `pb_sk_<environment>_…`.',
          },
          dashboardSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'pb_dashboard',
            description:
              "The operator dashboard's session (`POST /v1/dashboard/session`); writes also need its CSRF token in `x-csrf-token`. Routes that take an API key accept it too.",
          },
          connectSession: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A connect session token, `pb_cst_…`, created by the host backend (`POST /v1/connect/sessions`) for the connect page.',
          },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
    transformObject: (document) => {
      const generated = toComponents(document) as OpenApiDocument;
      const paths = { ...(generated.paths as Record<string, unknown> | undefined), ...handWrittenPaths };
      return pruneComponents({ ...generated, paths }) as ReturnType<typeof toComponents>;
    },
  });
}

interface OpenApiDocument {
  paths?: unknown;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Zod's registry is process-wide and the transform copies all of it (plus an `…Input` twin of
 * each) into the components; keep only the schemas the paths actually reference.
 */
function pruneComponents(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components?.schemas;
  if (!schemas) return document;
  const kept = new Set<string>();
  const pending = [...references(document.paths)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (kept.has(name) || !(name in schemas)) continue;
    kept.add(name);
    pending.push(...references(schemas[name]));
  }
  const pruned = Object.fromEntries(Object.entries(schemas).filter(([name]) => kept.has(name)));
  return { ...document, components: { ...document.components, schemas: pruned } };
}

function references(value: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(value ?? null, (key, child) => {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
      found.push(child.slice('#/components/schemas/'.length));
    }
    return child;
  });
  return found;
}

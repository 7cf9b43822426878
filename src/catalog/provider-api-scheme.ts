/**
 * The generic `provider_api` webhook scheme, for providers that sign in a way only they can check
 * (an RSA signature over transmission headers with a certificate they host) and offer an API that
 * checks a delivery: the definition declares that request and how to read its verdict, and the
 * engine sends it through the proxy with the credentials of the connection the delivery's URL
 * names. A non-2xx answer is not a verdict: the delivery is answered 5xx, to be sent again.
 *
 * String values of the request body are templates: `{header:<name>}` a header of the delivery,
 * `{config:<key>}` a connection config value, `{body}` the parsed JSON body, `{body:<path>}` a
 * value in it, `{rawBody}` the body as text. A string that is exactly one token takes that value
 * as it is (an object for `{body}`); tokens inside longer text are replaced by their text. The
 * path may use `{config:<key>}` (percent-encoded).
 */
import { z } from 'zod';
import { httpMethod, incomingHeader, jsonPath, pathTemplate, variableName } from './common.ts';

/** `{header:x}`, `{config:k}`, `{body}`, `{body:a.b}`, `{rawBody}`: a token of a template string. */
const PROVIDER_API_TOKEN = /\{(header|config|body|rawBody)(?::([^{}]*))?\}/g;

/** One token of a template string, as found by `providerApiTokens`. */
export type ProviderApiToken =
  | { kind: 'header'; name: string }
  | { kind: 'config'; key: string }
  | { kind: 'body'; path: string | undefined }
  | { kind: 'rawBody' };

function tokenOf(
  token: string,
  kind: string | undefined,
  arg: string | undefined,
): ProviderApiToken | { problem: string } {
  if (kind === 'header') {
    return arg !== undefined && incomingHeader.safeParse(arg).success
      ? { kind, name: arg }
      : { problem: `${token}: expected {header:<lowercase header name>}` };
  }
  if (kind === 'config') {
    return arg !== undefined && variableName.safeParse(arg).success
      ? { kind, key: arg }
      : { problem: `${token}: expected {config:<connection config key>}` };
  }
  if (kind === 'body') {
    return arg === undefined || jsonPath.safeParse(arg).success
      ? { kind, path: arg }
      : { problem: `${token}: expected {body} or {body:<dot path>}` };
  }
  return arg === undefined ? { kind: 'rawBody' } : { problem: `${token}: {rawBody} takes no argument` };
}

/** The tokens of one template string; a malformed token is reported as `{ problem }`. */
export function providerApiTokens(text: string): Array<ProviderApiToken | { problem: string }> {
  return [...text.matchAll(PROVIDER_API_TOKEN)].map(([token, kind, arg]) => tokenOf(token, kind, arg));
}

/**
 * Renders a template string whose tokens are valid (the schema checked them): a string that is
 * exactly one token becomes `value(token)` as it is; otherwise each token is replaced by
 * `asText(value(token))`.
 */
export function renderTokens(
  text: string,
  value: (token: ProviderApiToken) => unknown,
  asText: (value: unknown) => string,
): unknown {
  const matches = [...text.matchAll(PROVIDER_API_TOKEN)];
  const only = matches.length === 1 ? matches[0] : undefined;
  if (only !== undefined && only[0] === text) {
    const token = tokenOf(only[0], only[1], only[2]);
    return 'kind' in token ? value(token) : text;
  }
  return text.replace(PROVIDER_API_TOKEN, (whole: string, kind: string, arg: string | undefined) => {
    const token = tokenOf(whole, kind, arg);
    return 'kind' in token ? asText(value(token)) : whole;
  });
}

/** A JSON value whose strings may hold tokens; small, as befits one API call. */
export type JsonTemplate =
  | string
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [key: string]: JsonTemplate };

const jsonTemplate: z.ZodType<JsonTemplate> = z.lazy(() =>
  z.union([
    z.string().max(1000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonTemplate).max(50),
    z.record(z.string().max(100), jsonTemplate),
  ]),
);

/** Every string of a template, with its path (for error messages). */
export function templateStrings(
  value: JsonTemplate,
  path: Array<string | number> = [],
): Array<{ path: Array<string | number>; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => templateStrings(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => templateStrings(item, [...path, key]));
  }
  return [];
}

export const providerApiVerificationSchema = z
  .strictObject({
    scheme: z.literal('provider_api'),
    request: z.strictObject({
      method: httpMethod.default('POST'),
      /** Relative to the proxy base URL; `{config:<key>}` tokens only. */
      path: pathTemplate,
      /** Sent as JSON. */
      body: jsonTemplate.optional(),
    }),
    /** The delivery is genuine when the answer's JSON has `equals` at `path`. */
    verdict: z.strictObject({
      path: jsonPath,
      equals: z.union([z.string().max(200), z.number(), z.boolean()]),
    }),
  })
  .superRefine((v, ctx) => {
    for (const token of providerApiTokens(v.request.path)) {
      if ('problem' in token) {
        ctx.addIssue({ code: 'custom', path: ['request', 'path'], message: token.problem });
      } else if (token.kind !== 'config') {
        ctx.addIssue({
          code: 'custom',
          path: ['request', 'path'],
          message: 'a path may use {config:<key>} tokens only',
        });
      }
    }
    if (v.request.body === undefined) return;
    for (const { path, text } of templateStrings(v.request.body)) {
      for (const token of providerApiTokens(text)) {
        if ('problem' in token) {
          ctx.addIssue({ code: 'custom', path: ['request', 'body', ...path], message: token.problem });
        }
      }
    }
  });

/** Whether a `provider_api` request reads the delivery's parsed JSON body (`{body}`, `{body:<path>}`). */
export function providerApiReadsBody(v: z.output<typeof providerApiVerificationSchema>): boolean {
  return (v.request.body === undefined ? [] : templateStrings(v.request.body)).some(({ text }) =>
    providerApiTokens(text).some((token) => 'kind' in token && token.kind === 'body'),
  );
}

/** The connection config keys a `provider_api` request reads. */
export function providerApiConfigKeys(v: z.output<typeof providerApiVerificationSchema>): string[] {
  const texts = [v.request.path, ...(v.request.body === undefined ? [] : templateStrings(v.request.body))];
  const keys = new Set<string>();
  for (const text of texts) {
    for (const token of providerApiTokens(typeof text === 'string' ? text : text.text)) {
      if ('kind' in token && token.kind === 'config') keys.add(token.key);
    }
  }
  return [...keys];
}

/** The delivery headers a `provider_api` request reads (all required). */
export function providerApiHeaders(v: z.output<typeof providerApiVerificationSchema>): string[] {
  const names = new Set<string>();
  for (const { text } of v.request.body === undefined ? [] : templateStrings(v.request.body)) {
    for (const token of providerApiTokens(text)) {
      if ('kind' in token && token.kind === 'header') names.add(token.name);
    }
  }
  return [...names];
}

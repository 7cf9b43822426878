/**
 * Secret redaction for everything that is logged. Two complementary rules:
 * - by key name: the value under a key such as `authorization`, `client_secret` or `apiKey` is
 *   replaced whole, whatever its type, at any depth;
 * - by value shape: inside any string (messages, error messages and stacks, URLs, bodies quoted in
 *   errors) substrings that look like credentials are replaced.
 * Then every string is capped in length, so a huge provider body cannot flood the log either.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Longest string kept in a log line by default; the rest is replaced by a truncation marker. */
export const DEFAULT_MAX_STRING_LENGTH = 4096;

const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 100;
const MAX_OBJECT_KEYS = 200;

// Key names are compared lower-cased with `-` and `_` removed, so `X-API-Key`, `api_key` and
// `apiKey` are one name.
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'apikey',
  'xapikey',
  'privatekey',
  'sessionid',
  'codeverifier',
  'signingkey',
  'encryptionkeys',
]);
// Any key containing one of these is secret too (`stripeSecretKey`, `webhook_secret`, `dbPassword`).
const SECRET_KEY_PARTS = ['secret', 'password', 'passwd', 'apikey', 'privatekey', 'credential'];
// Any key ending with one of these (`authToken`, `session_token`), but not `tokenType`.
const SECRET_KEY_SUFFIXES = ['token', 'authorization', 'cookie'];

// Every log line asks about the same few key names: the answers are remembered (a pure function
// of the name; the map is emptied when full, so names from data cannot grow it without bound).
const MAX_REMEMBERED = 2048;
const secretKeyAnswers = new Map<string, boolean>();

/** True when the value under `key` must never be logged. */
export function isSecretKey(key: string): boolean {
  let answer = secretKeyAnswers.get(key);
  if (answer === undefined) {
    const normalized = key.toLowerCase().replace(/[-_]/g, '');
    answer =
      SECRET_KEYS.has(normalized) ||
      SECRET_KEY_PARTS.some((part) => normalized.includes(part)) ||
      SECRET_KEY_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
    if (secretKeyAnswers.size >= MAX_REMEMBERED) secretKeyAnswers.clear();
    secretKeyAnswers.set(key, answer);
  }
  return answer;
}

// Names whose value is redacted when they appear as `name: value` or `"name": "value"` inside text
// (JSON or headers quoted in an error message).
const SECRET_TEXT_KEY =
  '(?:access_token|refresh_token|id_token|token|client_secret|secret|password|passwd|api_key|apikey|x-api-key|authorization|code_verifier)';
// In query strings and form bodies a few more names carry secrets: OAuth `code`, Google's `key`,
// signed-URL `signature` / `sig`.
const SECRET_QUERY_PARAM = `(?:${SECRET_TEXT_KEY.slice(3, -1)}|key|code|signature|sig)`;

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
  /** The catch-all for unknown token formats, as opposed to a known credential shape. */
  generic?: boolean;
}

const whole = () => REDACTED;

// Order matters: the specific shapes first, so a `pb_sk_…` key is not half-eaten by a generic rule.
const RULES: readonly Rule[] = [
  // Credentials in a URL: scheme://user:password@host
  { pattern: /(\/\/[^\s:/@"]+:)[^\s@/"]+@/g, replace: (_m, head) => `${head}${REDACTED}@` },
  // Authorization header values, wherever they were copied.
  { pattern: /\b(Bearer)\s+[A-Za-z0-9._~+/=:-]+/gi, replace: (_m, scheme) => `${scheme} ${REDACTED}` },
  {
    pattern: /\b(Basic)\s+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    // "Basic authentication" is prose; base64 credentials have digits, padding or mixed case.
    replace: (match, scheme, value) =>
      /[0-9=+/]/.test(value) || /[A-Z]/.test(value.slice(1)) ? `${scheme} ${REDACTED}` : match,
  },
  // Patchbay API keys, Standard Webhooks secrets.
  { pattern: /\bpb_sk_[A-Za-z0-9_]+/g, replace: whole },
  // Connect-session tokens (base64url, so `-` too).
  { pattern: /\bpb_cst_[A-Za-z0-9_-]+/g, replace: whole },
  { pattern: /\bwhsec_[A-Za-z0-9+/=_-]+/g, replace: whole },
  // Stripe-style keys (sk_live_…, rk_test_…, pk_live_…), OpenAI-style sk-…
  { pattern: /\b(?:sk|rk)_[A-Za-z0-9_]{8,}/g, replace: whole },
  { pattern: /\bpk_live_[A-Za-z0-9_]+/g, replace: whole },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: whole },
  // GitHub, Slack, AWS access key ids, Shopify access tokens.
  { pattern: /\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/g, replace: whole },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: whole },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: whole },
  { pattern: /\bshp(?:at|ca|pa|ss)_[A-Fa-f0-9]{16,}/g, replace: whole },
  // JSON Web Tokens: base64url header starting with `{"` (eyJ), payload, optional signature.
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*/g, replace: whole },
  // name=value in query strings and form bodies.
  {
    pattern: new RegExp(`([?&;\\s(]${SECRET_QUERY_PARAM}=)(?!\\[redacted\\])[^&#\\s"'<>)\\]]+`, 'gi'),
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  // "name": "value" / name: value in JSON or headers quoted inside text.
  {
    pattern: new RegExp(
      `((?:^|[\\s{,"'])${SECRET_TEXT_KEY}["']?\\s*[:=]\\s*["']?)(?!\\[redacted\\]|Bearer\\b|Basic\\b)[^"'\\s,;&})\\]>]+`,
      'gi',
    ),
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  // Long random-looking tokens: 32+ characters of base64, base64url or hex. Paths are split at `/`
  // and judged segment by segment, so `/v1/api-keys/key_01…` stays readable.
  {
    pattern: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{32,}/g,
    replace: (match) => (match.split('/').some(looksRandom) ? REDACTED : match),
    generic: true,
  },
];

function looksRandom(segment: string): boolean {
  const hasDigit = /[0-9]/.test(segment);
  const hasLetter = /[A-Za-z]/.test(segment);
  if (segment.length >= 32 && hasDigit && hasLetter) return true;
  // A shorter segment of a base64 string cut by `/`: random when it mixes cases and digits.
  return segment.length >= 20 && hasDigit && /[a-z]/.test(segment) && /[A-Z]/.test(segment);
}

/**
 * Replaces every credential-shaped substring of `text` by `[redacted]`, then caps its length.
 * Redaction runs before the cap so a secret straddling the cut is still recognised whole.
 */
export function redactString(text: string, maxLength = DEFAULT_MAX_STRING_LENGTH): string {
  if (text.length <= maxLength && cleanStrings.has(text)) return text;
  const result = applyRules(text, RULES);
  if (result === text && text.length <= MAX_CLEAN_LENGTH) {
    if (cleanStrings.size >= MAX_REMEMBERED) cleanStrings.clear();
    cleanStrings.add(text);
  }
  return truncate(result, maxLength);
}

// Short strings in which no rule found anything, so that the words every log line repeats (its
// message, method, route pattern, environment and key ids, error code…) are not run through all
// the rules on every line. The answer is the same each time (the rules are a pure function of the
// text), only strings with nothing secret-shaped in them are kept, and the set is emptied when
// full: it stays bounded whatever is logged.
const MAX_CLEAN_LENGTH = 256;
const cleanStrings = new Set<string>();

const KNOWN_SHAPES = RULES.filter((rule) => !rule.generic);

/**
 * Like redactString but keeps long random-looking tokens, for values that are random by nature
 * and not secret (correlation ids such as nginx's 32 hex characters or UUIDs). Known credential
 * shapes (`pb_sk_…`, `Bearer …`, JWTs…) are still replaced.
 */
export function redactKnownSecrets(text: string, maxLength = DEFAULT_MAX_STRING_LENGTH): string {
  return truncate(applyRules(text, KNOWN_SHAPES), maxLength);
}

function applyRules(text: string, rules: readonly Rule[]): string {
  let result = text;
  for (const rule of rules) {
    rule.pattern.lastIndex = 0;
    result = result.replace(rule.pattern, rule.replace as (match: string, ...rest: unknown[]) => string);
  }
  return result;
}

/** Caps `text` at `maxLength` characters, saying how much was cut. */
export function truncate(text: string, maxLength = DEFAULT_MAX_STRING_LENGTH): string {
  if (text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}…[truncated ${text.length - maxLength} chars]`;
}

export interface RedactOptions {
  maxStringLength?: number;
}

/**
 * A deep copy of `value` safe to log: secret keys replaced, strings redacted and capped, errors
 * turned into `{ type, message, stack, code, … }`, depth, array and key counts bounded, cycles cut.
 */
export function redactValue(value: unknown, options: RedactOptions = {}): unknown {
  return walk(value, options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH, 0, new WeakSet());
}

/**
 * What redactValue makes of the member `key` of an object: the whole value replaced when the key
 * names a secret, else the value redacted. For loggers that redact an object member by member.
 */
export function redactMember(key: string, value: unknown, options: RedactOptions = {}): unknown {
  if (isSecretKey(key) && value !== null && value !== undefined && value !== '') return REDACTED;
  const max = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
  // Depth 1, as inside an object; a primitive never touches the set of objects being walked.
  return walk(value, max, 1, typeof value === 'object' && value !== null ? new WeakSet() : NO_OBJECTS);
}

const NO_OBJECTS = new WeakSet<object>();

function walk(value: unknown, max: number, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return redactString(value, max);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(object);
  try {
    if (object instanceof Error) return walkError(object, max, depth, seen);
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (object instanceof URL) return redactString(object.href, max);
    if (Buffer.isBuffer(object) || ArrayBuffer.isView(object)) return `[binary ${object.byteLength} bytes]`;
    if (Array.isArray(object)) {
      const items = object.slice(0, MAX_ARRAY_ITEMS).map((item) => walk(item, max, depth + 1, seen));
      if (object.length > MAX_ARRAY_ITEMS) items.push(`[${object.length - MAX_ARRAY_ITEMS} more items]`);
      return items;
    }
    if (object instanceof Headers) return walkEntries([...object.entries()], max, depth, seen);
    if (object instanceof Map)
      return walkEntries(
        [...object.entries()].map(([k, v]) => [String(k), v]),
        max,
        depth,
        seen,
      );
    if (object instanceof Set) return walk([...object], max, depth, seen);
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
      return walk((object as { toJSON(): unknown }).toJSON(), max, depth, seen);
    }
    return walkEntries(Object.entries(object), max, depth, seen);
  } finally {
    seen.delete(object);
  }
}

function walkEntries(
  entries: Array<[string, unknown]>,
  max: number,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of entries.slice(0, MAX_OBJECT_KEYS)) {
    result[key] =
      isSecretKey(key) && child !== null && child !== undefined && child !== ''
        ? REDACTED
        : walk(child, max, depth + 1, seen);
  }
  if (entries.length > MAX_OBJECT_KEYS)
    result['[truncated]'] = `${entries.length - MAX_OBJECT_KEYS} more keys`;
  return result;
}

function walkError(error: Error, max: number, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const result: Record<string, unknown> = {
    type: error.name || error.constructor?.name || 'Error',
    message: redactString(error.message ?? '', max),
  };
  if (typeof error.stack === 'string') result.stack = redactString(error.stack, max);
  // Own enumerable fields carry the error's code, status, details… (and possibly a config object
  // holding secrets, which the key rules catch).
  for (const [key, child] of Object.entries(error)) {
    if (key === 'message' || key === 'stack') continue;
    result[key] =
      isSecretKey(key) && child !== null && child !== undefined
        ? REDACTED
        : walk(child, max, depth + 1, seen);
  }
  if (error.cause !== undefined) result.cause = walk(error.cause, max, depth + 1, seen);
  return result;
}

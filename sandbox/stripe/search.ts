/**
 * Stripe's Search API (`/v1/customers/search`, `/v1/invoices/search`), from its query-language
 * reference: up to 10 clauses joined by `AND` or by `OR` (not both, no parentheses); a clause is
 * `field:value` (exact match; strings case-insensitive), `field~value` (substring, at least 3
 * characters), `field>value` / `<` / `>=` / `<=` on numbers, `metadata['key']:value`, and `-`
 * before a clause negates it. String values are quoted with `"` or `'`, `\` escaping the quote.
 * Answers `{ object: 'search_result', data, has_more, next_page, url }`, paged by `page` (the
 * previous answer's `next_page`), newest first; `expand[]=total_count` adds the count.
 * Not emulated: the index lag Stripe documents (results here are current at once).
 */
import { invalidRequest } from './errors.ts';
import type { Params } from './params.ts';

/** How a field of an object reads for search: a string, a number, or null. */
export type FieldReader<T> = (item: T) => string | number | null;

export interface SearchSpec<T> {
  /** `/v1/customers/search`. */
  url: string;
  fields: Readonly<Record<string, FieldReader<T>>>;
  metadata: (item: T) => Record<string, string>;
}

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';
interface Clause {
  negated: boolean;
  field: string;
  /** For `metadata['key']` clauses. */
  metadataKey: string | null;
  operator: Operator;
  value: string;
  quoted: boolean;
}

const MAX_CLAUSES = 10;

/** Reads `query`, `limit`, `page`; answers one page of the matching objects (newest first). */
export function searchPage<T, J>(
  items: readonly T[],
  params: Params,
  spec: SearchSpec<T>,
  render: (item: T) => J,
) {
  const query = params.requiredString('query');
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidRequest('Invalid limit: must be between 1 and 100', { param: 'limit' });
  const page = params.string('page');
  const wantsTotal = (params.stringList('expand') ?? []).includes('total_count');
  params.done();
  const match = compile(query, spec);
  const offset = page === undefined ? 0 : pageOffset(page);
  const matched: T[] = [];
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index] as T;
    if (match(item)) matched.push(item);
  }
  const slice = matched.slice(offset, offset + limit);
  const hasMore = offset + limit < matched.length;
  return {
    object: 'search_result' as const,
    data: slice.map(render),
    has_more: hasMore,
    next_page: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : null,
    url: spec.url,
    ...(wantsTotal ? { total_count: matched.length } : {}),
  };
}

function pageOffset(page: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (!match) throw invalidRequest(`Invalid page: ${page}`, { param: 'page' });
  return Number(match[1]);
}

function compile<T>(query: string, spec: SearchSpec<T>): (item: T) => boolean {
  const { clauses, joiner } = parse(query);
  const tests = clauses.map((clause) => clauseTest(clause, spec));
  return joiner === 'OR' ? (item) => tests.some((t) => t(item)) : (item) => tests.every((t) => t(item));
}

function clauseTest<T>(clause: Clause, spec: SearchSpec<T>): (item: T) => boolean {
  let read: FieldReader<T>;
  if (clause.metadataKey !== null) {
    const key = clause.metadataKey;
    read = (item) => spec.metadata(item)[key] ?? null;
  } else {
    const field = spec.fields[clause.field];
    if (!field) {
      throw invalidQuery(
        `Field \`${clause.field}\` is an unsupported search field. Supported fields: ${[...Object.keys(spec.fields), 'metadata'].join(', ')}.`,
      );
    }
    read = field;
  }
  const test = valueTest(clause);
  return clause.negated ? (item) => !test(read(item)) : (item) => test(read(item));
}

function valueTest(clause: Clause): (actual: string | number | null) => boolean {
  const { operator, value } = clause;
  if (operator === '~') {
    if (value.length < 3) throw invalidQuery('Substring search (~) needs at least 3 characters.');
    const needle = value.toLowerCase();
    return (actual) => actual !== null && String(actual).toLowerCase().includes(needle);
  }
  if (operator === ':') {
    const wanted = value.toLowerCase();
    return (actual) => actual !== null && String(actual).toLowerCase() === wanted;
  }
  if (clause.quoted || !/^-?\d+(\.\d+)?$/.test(value)) {
    throw invalidQuery(`The operator ${operator} takes a number, not ${value}.`);
  }
  const bound = Number(value);
  const compare: Record<'>' | '<' | '>=' | '<=', (a: number) => boolean> = {
    '>': (a) => a > bound,
    '<': (a) => a < bound,
    '>=': (a) => a >= bound,
    '<=': (a) => a <= bound,
  };
  const check = compare[operator];
  return (actual) => typeof actual === 'number' && check(actual);
}

/** Splits the query into clauses and the word joining them. */
function parse(query: string): { clauses: Clause[]; joiner: 'AND' | 'OR' } {
  const reader = { text: query, at: 0 };
  const clauses: Clause[] = [];
  let joiner: 'AND' | 'OR' | null = null;
  skipSpaces(reader);
  for (;;) {
    clauses.push(readClause(reader));
    skipSpaces(reader);
    if (reader.at >= reader.text.length) break;
    const word = /^(AND|OR)\s+/.exec(reader.text.slice(reader.at));
    if (!word)
      throw invalidQuery(
        `Unexpected text at position ${reader.at}: ${reader.text.slice(reader.at, reader.at + 20)}`,
      );
    const next = word[1] as 'AND' | 'OR';
    if (joiner !== null && joiner !== next) throw invalidQuery('A query cannot combine AND and OR.');
    joiner = next;
    reader.at += word[0].length;
  }
  if (clauses.length > MAX_CLAUSES) throw invalidQuery(`A query may have at most ${MAX_CLAUSES} clauses.`);
  return { clauses, joiner: joiner ?? 'AND' };
}

function readClause(reader: { text: string; at: number }): Clause {
  const negated = reader.text[reader.at] === '-';
  if (negated) reader.at++;
  const name = /^[a-z_]+/.exec(reader.text.slice(reader.at));
  if (!name) throw invalidQuery(`Expected a field name at position ${reader.at}.`);
  reader.at += name[0].length;
  let metadataKey: string | null = null;
  if (name[0] === 'metadata') {
    if (reader.text[reader.at] !== '[') throw invalidQuery("Search metadata as metadata['key'].");
    reader.at++;
    metadataKey = readString(reader).value;
    if (reader.text[reader.at] !== ']') throw invalidQuery('Expected ] after the metadata key.');
    reader.at++;
  }
  const operator = /^(>=|<=|:|~|>|<)/.exec(reader.text.slice(reader.at));
  if (!operator) throw invalidQuery(`Expected :, ~, >, <, >= or <= after ${name[0]}.`);
  reader.at += operator[0].length;
  const { value, quoted } = readValue(reader);
  return { negated, field: name[0], metadataKey, operator: operator[0] as Operator, value, quoted };
}

function readValue(reader: { text: string; at: number }): { value: string; quoted: boolean } {
  const quote = reader.text[reader.at];
  if (quote === '"' || quote === "'") return readString(reader);
  const bare = /^[^\s]+/.exec(reader.text.slice(reader.at));
  if (!bare) throw invalidQuery('Expected a value.');
  if (!/^-?\d+(\.\d+)?$/.test(bare[0])) throw invalidQuery(`String values must be quoted: ${bare[0]}`);
  reader.at += bare[0].length;
  return { value: bare[0], quoted: false };
}

function readString(reader: { text: string; at: number }): { value: string; quoted: true } {
  const quote = reader.text[reader.at];
  if (quote !== '"' && quote !== "'")
    throw invalidQuery(`Expected a quoted string at position ${reader.at}.`);
  let value = '';
  for (let at = reader.at + 1; at < reader.text.length; at++) {
    const char = reader.text[at] as string;
    if (char === '\\' && at + 1 < reader.text.length) {
      value += reader.text[++at];
    } else if (char === quote) {
      reader.at = at + 1;
      return { value, quoted: true };
    } else {
      value += char;
    }
  }
  throw invalidQuery('A quoted string is not closed.');
}

function skipSpaces(reader: { text: string; at: number }): void {
  while (reader.at < reader.text.length && /\s/.test(reader.text[reader.at] as string)) reader.at++;
}

function invalidQuery(message: string) {
  return invalidRequest(`Invalid search query: ${message}`, { param: 'query' });
}

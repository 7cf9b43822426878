/**
 * The Admin GraphQL operations the emulator answers. It does not run a GraphQL engine: it reads
 * the operation's root field and its arguments (from `variables`, or integer and string literals)
 * and answers the whole object, a superset of any selection. Listings are connections with
 * `nodes`, `edges { cursor node }` and `pageInfo { hasNextPage endCursor }`, paged with
 * `first`/`after` (at most 250), filtered by the search syntax's `updated_at:>…` terms
 * (https://shopify.dev/docs/api/usage/search-syntax), sorted by id.
 *
 * Cost follows https://shopify.dev/docs/api/usage/rate-limits#cost-calculation: an object is 1
 * point, a connection 2 plus its `first` times the cost of a node; the requested cost counts
 * every node a `first` could return, the actual cost those returned.
 */
import type { Resource, ShopifyCustomer, ShopifyOrder, ShopifyProduct, ShopStore } from './store.ts';

export const MAX_PAGE = 250;

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

export class GraphqlError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The root field of the first operation, and its arguments. */
export function rootField(request: GraphqlRequest): { name: string; args: Record<string, unknown> } {
  const open = request.query.indexOf('{');
  if (open < 0) throw new GraphqlError('PARSE_ERROR', 'syntax error, unexpected end of file');
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\(([^)]*)\))?/.exec(request.query.slice(open + 1));
  if (!match?.[1]) throw new GraphqlError('PARSE_ERROR', 'syntax error, expected a field');
  return { name: match[1], args: argumentsOf(match[3] ?? '', request.variables) };
}

function argumentsOf(text: string, variables: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const part of text.matchAll(/([A-Za-z_]\w*)\s*:\s*(\$\w+|-?\d+|"(?:[^"\\]|\\.)*"|[A-Z_]+)/g)) {
    const [, name, raw] = part;
    if (!name || raw === undefined) continue;
    if (raw.startsWith('$')) args[name] = variables[raw.slice(1)];
    else if (raw.startsWith('"')) args[name] = JSON.parse(raw);
    else if (/^-?\d+$/.test(raw)) args[name] = Number(raw);
    else args[name] = raw;
  }
  return args;
}

/** `first` of a nested connection named in the query (`variants(first: 10)`), or undefined. */
function nestedFirst(request: GraphqlRequest, field: string): number | undefined {
  const match = new RegExp(`\\b${field}\\s*\\(([^)]*)\\)`).exec(request.query);
  if (!match?.[1]) return undefined;
  const first = argumentsOf(match[1], request.variables).first;
  return typeof first === 'number' ? first : undefined;
}

type Node = ShopifyProduct | ShopifyCustomer | ShopifyOrder;

/** Points one node costs when its nested connections hold `nested` items each. */
function nodeCost(
  resource: Resource,
  request: GraphqlRequest,
  nested: (node: Node | null) => number,
  node: Node | null,
) {
  switch (resource) {
    case 'products': {
      const variants = nestedFirst(request, 'variants');
      // A variant and its inventory item: 2 points each.
      return 1 + (variants === undefined ? 0 : 2 + 2 * nested(node));
    }
    case 'customers':
      return 1;
    case 'orders': {
      const lines = nestedFirst(request, 'lineItems');
      // totalPriceSet and its shopMoney, the customer; a line with its variant and price set.
      return 4 + (lines === undefined ? 0 : 2 + 3 * nested(node));
    }
  }
}

export interface ListAnswer {
  data: Record<string, unknown>;
  requested: number;
  actual: number;
}

/** Whether a requested cost is known before running: for the bucket's check. */
export function requestedCost(resource: Resource, request: GraphqlRequest, first: number): number {
  const variants = nestedFirst(request, resource === 'orders' ? 'lineItems' : 'variants') ?? 0;
  return 2 + first * nodeCost(resource, request, () => variants, null);
}

/** A page of a listing, as the connection the API answers. */
export function listPage(
  store: ShopStore,
  resource: Resource,
  request: GraphqlRequest,
  args: Record<string, unknown>,
) {
  const first = args.first;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw new GraphqlError(
      'BAD_USER_INPUT',
      `you must provide \`first\` (1 to ${MAX_PAGE}) to paginate the \`${resource}\` connection`,
    );
  }
  const filter = typeof args.query === 'string' ? updatedFilter(args.query) : () => true;
  const all = (store[resource] as Node[]).filter(filter);
  let start = 0;
  if (typeof args.after === 'string') {
    const after = decodeCursor(args.after);
    if (after === undefined)
      throw new GraphqlError('BAD_USER_INPUT', 'Invalid cursor for current pagination sort.');
    start = all.findIndex((node) => numericId(node.id) > after);
    if (start < 0) start = all.length;
  }
  const nodes = all.slice(start, start + first);
  const last = nodes.at(-1);
  const nestedCount = (node: Node | null) =>
    node === null
      ? 0
      : 'variants' in node
        ? node.variants.length
        : 'lineItems' in node
          ? node.lineItems.length
          : 0;
  const actual = 2 + nodes.reduce((sum, node) => sum + nodeCost(resource, request, nestedCount, node), 0);
  return {
    connection: {
      nodes: nodes.map((node) => present(node)),
      edges: nodes.map((node) => ({ cursor: encodeCursor(node.id), node: present(node) })),
      pageInfo: {
        hasNextPage: start + first < all.length,
        hasPreviousPage: start > 0,
        startCursor: nodes[0] ? encodeCursor(nodes[0].id) : null,
        endCursor: last ? encodeCursor(last.id) : null,
      },
    },
    actual,
  };
}

/** Nested lists as the connections the API answers. */
export function present(node: Node): Record<string, unknown> {
  if ('variants' in node) return { ...node, variants: { nodes: node.variants } };
  if ('lineItems' in node) return { ...node, lineItems: { nodes: node.lineItems } };
  return { ...node };
}

export function numericId(gid: string): number {
  return Number(gid.slice(gid.lastIndexOf('/') + 1));
}

function encodeCursor(gid: string): string {
  return Buffer.from(JSON.stringify({ last_id: numericId(gid) })).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { last_id?: unknown };
    return typeof value.last_id === 'number' ? value.last_id : undefined;
  } catch {
    return undefined;
  }
}

/** The `updated_at` terms of a search query (`updated_at:>'2026-01-01T00:00:00Z'`), others ignored. */
function updatedFilter(query: string): (node: Node) => boolean {
  const terms = [...query.matchAll(/updated_at:(>=|<=|>|<)?'?([0-9T:.\-+Z]+)'?/g)].map(([, op, value]) => ({
    op: op ?? '=',
    at: Date.parse(value ?? ''),
  }));
  return (node) => {
    const at = Date.parse(node.updatedAt);
    return terms.every(({ op, at: bound }) =>
      op === '>'
        ? at > bound
        : op === '>='
          ? at >= bound
          : op === '<'
            ? at < bound
            : op === '<='
              ? at <= bound
              : at === bound,
    );
  };
}

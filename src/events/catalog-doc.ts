/**
 * Renders docs/events.md from the event catalog, so the documentation lists exactly the types
 * the engine validates. `node src/events/catalog-doc.ts > docs/events.md` regenerates it; a test
 * fails when the file and the catalog disagree.
 */
import {
  EVENT_TYPE_DEFINITIONS,
  EVENT_TYPE_PATTERN,
  type EventTypeDefinition,
  eventDataJsonSchema,
  RESERVED_PREFIXES,
} from './catalog.ts';

const EXAMPLE_TIME = '2026-01-01T12:00:00.000Z';

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  items?: JsonSchemaNode;
  format?: string;
}

/** `string`, `string \| null`, `"a" \| "b"`, `object`…: a field's type in one short phrase. */
function typeName(node: JsonSchemaNode): string {
  if (node.anyOf) return node.anyOf.map(typeName).join(' \\| ');
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
  if (type === 'string' && node.format === 'date-time') return 'ISO 8601 time';
  if (type === 'array' && node.items) return `${typeName(node.items)}[]`;
  return type;
}

function fields(definition: EventTypeDefinition): string {
  const schema = eventDataJsonSchema(definition) as JsonSchemaNode;
  return Object.entries(schema.properties ?? {})
    .map(([name, node]) => `\`${name}\`${schema.required?.includes(name) ? '' : '?'} (${typeName(node)})`)
    .join(', ');
}

function exampleType(definition: EventTypeDefinition): string {
  return definition.pattern ? 'inbound.stripe.invoice.paid' : definition.type;
}

/** The whole of docs/events.md. */
export function renderEventsDoc(): string {
  const table = EVENT_TYPE_DEFINITIONS.map(
    (definition) => `| \`${definition.type}\` | ${definition.description} | ${fields(definition)} |`,
  );
  const examples = EVENT_TYPE_DEFINITIONS.map((definition) =>
    [
      `### \`${definition.type}\``,
      '',
      definition.description,
      ...(definition.pattern ? ['', `Types of this family match \`${definition.pattern.source}\`.`] : []),
      '',
      '```json',
      JSON.stringify(
        { type: exampleType(definition), timestamp: EXAMPLE_TIME, data: definition.example },
        null,
        2,
      ),
      '```',
    ].join('\n'),
  );
  return `${[
    '# Events',
    '',
    '<!-- Generated from src/events/catalog.ts by `node src/events/catalog-doc.ts > docs/events.md`; edit the catalog, not this file. -->',
    '',
    'Everything that happens in Patchbay is an **event**, written in the same database transaction as',
    'the change it reports (an outbox): an event exists exactly when its change was committed. Events',
    'reach your app three ways:',
    '',
    '- **webhooks**: each event fans out to every enabled endpoint whose event-type filter matches, as a',
    '  signed **message** (see [webhooks.md](webhooks.md));',
    '- **the event log**: `GET /v1/events?after=<id>&type=connection.*&limit=50`, oldest first;',
    '- **the live stream**: `GET /v1/events/stream`, Server-Sent Events (below).',
    '',
    'Every webhook body has the same envelope, and `data` follows the schema of its type:',
    '',
    '```json',
    '{ "type": "connection.created", "timestamp": "2026-01-01T12:00:00.000Z", "data": { … } }',
    '```',
    '',
    '`GET /v1/event-types` serves this catalog with the JSON Schema of each type’s `data`. New fields',
    'may be added to `data`; existing ones are not removed or changed, so ignore fields you do not know.',
    '',
    '## Catalog',
    '',
    '| type | when | data |',
    '|---|---|---|',
    ...table,
    '',
    '## Your own event types',
    '',
    '`POST /v1/messages` sends an event of your own to the matching endpoints (signed and retried like',
    'Patchbay’s own), with an optional idempotency key (`Idempotency-Key` header or `idempotencyKey`',
    'field: a repeat returns the first call’s messages and sends nothing again). Its type is lower-case',
    `dot-separated segments (\`${EVENT_TYPE_PATTERN.source}\`, e.g. \`order.shipped\`), and may not start`,
    `with a prefix of the catalog (${RESERVED_PREFIXES.map((prefix) => `\`${prefix}.\``).join(', ')}):`,
    'a receiver can trust that a `connection.*` message came from Patchbay itself. Such messages are',
    'not events of the log or the stream.',
    '',
    '```sh',
    'curl -X POST http://127.0.0.1:4400/v1/messages \\',
    '  -H "Authorization: Bearer $PATCHBAY_API_KEY" -H "Idempotency-Key: order-1042-shipped" \\',
    "  -H 'content-type: application/json' \\",
    '  -d \'{ "eventType": "order.shipped", "data": { "orderId": "1042" }, "channels": ["user_42"] }\'',
    '```',
    '',
    '`channels` route a message to the endpoints that filter on one of them, and to endpoints without a',
    'channel filter. Patchbay’s own events carry no channels, so they reach only endpoints without one.',
    '',
    '## The live stream',
    '',
    '`GET /v1/events/stream` (API key) answers `text/event-stream`: one frame per event, in id order,',
    'a `: heartbeat` comment every 15 s while idle:',
    '',
    '```',
    'id: evt_01jz8x7y6w5v4t3s2r1q0p9n8m',
    'event: connection.created',
    'data: {"id":"evt_01jz8x7y6w5v4t3s2r1q0p9n8m","type":"connection.created","data":{…},"createdAt":"…"}',
    '```',
    '',
    'It starts with events committed after it opened. To resume without gaps or repeats, reconnect with',
    'the last id received in `Last-Event-ID` (browsers’ `EventSource` does so by itself) or in',
    '`?lastEventId=`: the stream restarts right after that event. On PostgreSQL, where concurrent',
    'transactions may commit out of id order, the stream trails the newest events by about a second so',
    'that no slower commit is skipped.',
    '',
    "`HEAD /v1/events/stream` answers at once with the stream's status and headers and no body (a",
    'health check of the route and the key).',
    '',
    '```js',
    "const source = new EventSource('/v1/events/stream'); // behind your backend, which adds the API key",
    "source.addEventListener('connection.reauth_required', (e) => showReconnect(JSON.parse(e.data)));",
    '```',
    '',
    '## Examples',
    '',
    examples.join('\n\n'),
  ].join('\n')}\n`;
}

if (import.meta.main) process.stdout.write(renderEventsDoc());

/**
 * Template overrides: the host replaces a kind's default template per environment. An override is
 * parsed and checked against the kind's variables before it is stored (an unknown variable is a
 * 400 naming it), and rendering uses the override when there is one, the default otherwise.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import { KINDS, type NotificationKind, sampleVariables, type TemplateParts } from './kinds.ts';
import {
  parseNotificationTemplate,
  renderNotificationTemplate,
  type TemplateNode,
  unknownVariables,
  type VariableSpecs,
} from './template.ts';

/** A rendered email body. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** A kind's template as the API shows it. */
export interface TemplateView {
  kind: NotificationKind;
  description: string;
  /** True when the host's override is in use. */
  overridden: boolean;
  template: TemplateParts;
  default: TemplateParts;
  variables: Array<{ name: string; description: string; fields?: string[] }>;
  updatedAt: number | null;
}

export interface TemplatesStore {
  list(environmentId: string): Promise<TemplateView[]>;
  get(environmentId: string, kind: NotificationKind): Promise<TemplateView>;
  /** Stores an override after checking it; `validation_failed` names unknown variables. */
  put(environmentId: string, kind: NotificationKind, parts: TemplateParts): Promise<TemplateView>;
  /** Removes the override (back to the default); false when there was none. */
  delete(environmentId: string, kind: NotificationKind): Promise<boolean>;
  /** The template in use for a kind. */
  effective(
    environmentId: string,
    kind: NotificationKind,
    executor?: Kysely<Database>,
  ): Promise<TemplateParts>;
  /**
   * Renders a kind with the given variables over its samples, with the given template (checked
   * the same way as an override) or the one in use.
   */
  preview(
    environmentId: string,
    kind: NotificationKind,
    input: { variables?: Record<string, unknown>; template?: TemplateParts },
  ): Promise<RenderedMessage>;
}

/** Parses the three parts of a template and checks their variables against the kind's. */
export function compileTemplate(
  kind: NotificationKind,
  parts: TemplateParts,
): Record<keyof TemplateParts, TemplateNode[]> {
  const compiled = {
    subject: parseNotificationTemplate(parts.subject, 'subject'),
    text: parseNotificationTemplate(parts.text, 'text'),
    html: parseNotificationTemplate(parts.html, 'html'),
  };
  const unknown = [
    ...new Set(Object.values(compiled).flatMap((nodes) => unknownVariables(nodes, KINDS[kind].variables))),
  ].sort();
  if (unknown.length > 0) {
    throw new PatchbayError(
      'validation_failed',
      `The template of "${kind}" uses variables it does not have: ${unknown.join(', ')}. Known: ${Object.keys(KINDS[kind].variables).join(', ')}`,
      {
        details: {
          unknownVariables: unknown,
          issues: unknown.map((name) => ({ path: 'template', message: `unknown variable ${name}` })),
        },
      },
    );
  }
  return compiled;
}

/** Renders a template with variables: HTML escaped in `html`, the subject on one line. */
export function renderTemplate(
  kind: NotificationKind,
  parts: TemplateParts,
  variables: Record<string, unknown>,
): RenderedMessage {
  const compiled = compileTemplate(kind, parts);
  const subject = renderNotificationTemplate(compiled.subject, variables, { html: false })
    // A header value: line breaks would start another header.
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 998);
  return {
    subject,
    text: renderNotificationTemplate(compiled.text, variables, { html: false }),
    html: renderNotificationTemplate(compiled.html, variables, { html: true }),
  };
}

export function createTemplatesStore(options: { db: Kysely<Database>; clock: Clock }): TemplatesStore {
  const { db, clock } = options;

  async function overrideOf(executor: Kysely<Database>, environmentId: string, kind: NotificationKind) {
    return executor
      .selectFrom('notification_templates')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('kind', '=', kind)
      .executeTakeFirst();
  }

  function view(
    kind: NotificationKind,
    row: { subject: string; text: string; html: string; updated_at: number } | undefined,
  ): TemplateView {
    const definition = KINDS[kind];
    return {
      kind,
      description: definition.description,
      overridden: row !== undefined,
      template: row ? { subject: row.subject, text: row.text, html: row.html } : definition.template,
      default: definition.template,
      variables: describeVariables(definition.variables),
      updatedAt: row ? Number(row.updated_at) : null,
    };
  }

  const store: TemplatesStore = {
    async list(environmentId) {
      const rows = await db
        .selectFrom('notification_templates')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .execute();
      return (Object.keys(KINDS) as NotificationKind[]).map((kind) =>
        view(
          kind,
          rows.find((row) => row.kind === kind),
        ),
      );
    },
    async get(environmentId, kind) {
      return view(kind, await overrideOf(db, environmentId, kind));
    },
    async put(environmentId, kind, parts) {
      compileTemplate(kind, parts);
      const now = clock.now();
      const values = { subject: parts.subject, text: parts.text, html: parts.html, updated_at: now };
      await db
        .insertInto('notification_templates')
        .values({ environment_id: environmentId, kind, ...values })
        .onConflict((conflict) => conflict.columns(['environment_id', 'kind']).doUpdateSet(values))
        .execute();
      return view(kind, values);
    },
    async delete(environmentId, kind) {
      const result = await db
        .deleteFrom('notification_templates')
        .where('environment_id', '=', environmentId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async effective(environmentId, kind, executor = db) {
      const row = await overrideOf(executor, environmentId, kind);
      return row ? { subject: row.subject, text: row.text, html: row.html } : KINDS[kind].template;
    },
    async preview(environmentId, kind, input) {
      const parts = input.template ?? (await store.effective(environmentId, kind));
      return renderTemplate(kind, parts, { ...sampleVariables(kind), ...input.variables });
    },
  };
  return store;
}

function describeVariables(specs: VariableSpecs): TemplateView['variables'] {
  return Object.entries(specs).map(([name, spec]) => ({
    name,
    description: spec.description,
    ...('items' in spec ? { fields: Object.keys(spec.items) } : {}),
  }));
}

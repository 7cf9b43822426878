/**
 * The notification template language: a deliberately tiny, logic-less syntax parsed into a tree
 * and rendered by walking it — no code is ever evaluated.
 *
 * - `{{name}}`, `{{connection.name}}`: a value (dotted paths read nested objects);
 * - `{{#if name}}…{{else}}…{{/if}}`: a section shown when the value is truthy (a non-empty list,
 *   a non-empty string, a number other than 0, true);
 * - `{{#each list}}…{{/each}}`: repeats for each item of a list; inside, names resolve against
 *   the item first, then the outer scopes.
 *
 * In HTML templates every value is HTML-escaped; text templates render values as they are.
 * Templates are checked against the variables a kind declares before they are stored, so a
 * host's override never names a variable the engine does not supply.
 */
import { PatchbayError } from '../errors/index.ts';

/** A parsed template. */
export type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'var'; path: string }
  | { type: 'if'; path: string; yes: TemplateNode[]; no: TemplateNode[] }
  | { type: 'each'; path: string; body: TemplateNode[] };

/**
 * The variables a template may use: a leaf has a description and an example; a list has the
 * variables of each of its items.
 */
export type VariableSpec =
  | { description: string; example: unknown }
  | { description: string; items: Record<string, VariableSpec> };

export type VariableSpecs = Record<string, VariableSpec>;

/** Nesting deeper than this is refused (a template is small text, not a program). */
const MAX_DEPTH = 8;
const MAX_TEMPLATE_LENGTH = 100_000;
const TAG =
  /\{\{\s*(#if|#each|\/if|\/each|else)?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?\s*\}\}/g;

/** Parses a template; throws `validation_failed` naming the problem and where it is. */
export function parseNotificationTemplate(source: string, field = 'template'): TemplateNode[] {
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw invalid(field, `is longer than ${MAX_TEMPLATE_LENGTH} characters`);
  }
  const root: TemplateNode[] = [];
  const stack: Array<{ node: TemplateNode & { type: 'if' | 'each' }; into: TemplateNode[] }> = [];
  let current = root;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const at = match.index;
    if (at > last) current.push({ type: 'text', text: source.slice(last, at) });
    last = at + match[0].length;
    const [, keyword, path] = match;
    if (keyword === '#if' || keyword === '#each') {
      if (!path) throw invalid(field, `"${match[0]}" at ${at} names no variable`);
      if (stack.length >= MAX_DEPTH) throw invalid(field, `sections nest deeper than ${MAX_DEPTH}`);
      const node: TemplateNode & { type: 'if' | 'each' } =
        keyword === '#if' ? { type: 'if', path, yes: [], no: [] } : { type: 'each', path, body: [] };
      current.push(node);
      stack.push({ node, into: current });
      current = node.type === 'if' ? node.yes : node.body;
    } else if (keyword === 'else') {
      const open = stack.at(-1);
      if (open?.node.type !== 'if' || current !== open.node.yes) {
        throw invalid(field, `"{{else}}" at ${at} is not inside an {{#if}}`);
      }
      current = open.node.no;
    } else if (keyword === '/if' || keyword === '/each') {
      const open = stack.pop();
      if (!open || `/${open.node.type}` !== keyword) {
        throw invalid(field, `"${match[0]}" at ${at} closes no open {{#${keyword.slice(1)}}}`);
      }
      current = open.into;
    } else {
      if (!path) throw invalid(field, `"${match[0]}" at ${at} names no variable`);
      current.push({ type: 'var', path });
    }
  }
  if (stack.length > 0)
    throw invalid(field, `{{#${stack.at(-1)!.node.type} ${stack.at(-1)!.node.path}}} is never closed`);
  if (last < source.length) current.push({ type: 'text', text: source.slice(last) });
  for (const node of root) checkStray(node, field);
  return root;
}

// `{{` left in text after parsing is a tag the grammar did not accept (`{{ 1+1 }}`, `{{#x}}`).
function checkStray(node: TemplateNode, field: string): void {
  if (node.type === 'text') {
    const stray = node.text.indexOf('{{');
    if (stray !== -1) {
      const tag = node.text.slice(stray, node.text.indexOf('}}', stray) + 2 || stray + 20);
      throw invalid(
        field,
        `"${tag.slice(0, 40)}" is not a tag: use {{name}}, {{#if name}} or {{#each name}}`,
      );
    }
    return;
  }
  const children = node.type === 'if' ? [...node.yes, ...node.no] : node.type === 'each' ? node.body : [];
  for (const child of children) checkStray(child, field);
}

/** The variable paths a template uses that `specs` does not declare (empty when all are known). */
export function unknownVariables(nodes: readonly TemplateNode[], specs: VariableSpecs): string[] {
  const unknown = new Set<string>();
  const walk = (list: readonly TemplateNode[], scopes: VariableSpecs[]) => {
    for (const node of list) {
      if (node.type === 'text') continue;
      const spec = lookupSpec(node.path, scopes);
      if (!spec) unknown.add(node.path);
      if (node.type === 'if') {
        walk(node.yes, scopes);
        walk(node.no, scopes);
      } else if (node.type === 'each') {
        if (spec && !('items' in spec)) unknown.add(`${node.path} (not a list)`);
        walk(node.body, spec && 'items' in spec ? [spec.items, ...scopes] : scopes);
      } else if (spec && 'items' in spec) {
        unknown.add(`${node.path} (a list: use {{#each ${node.path}}})`);
      }
    }
  };
  walk(nodes, [specs]);
  return [...unknown].sort();
}

function lookupSpec(path: string, scopes: VariableSpecs[]): VariableSpec | undefined {
  const [head, ...rest] = path.split('.');
  for (const scope of scopes) {
    if (!Object.hasOwn(scope, head!)) continue;
    let spec: VariableSpec | undefined = scope[head!];
    // Dotted paths into a leaf whose example is an object (`connection.name`).
    for (const part of rest) {
      if (!spec || 'items' in spec) return undefined;
      const example = spec.example;
      if (typeof example !== 'object' || example === null || !Object.hasOwn(example, part)) return undefined;
      spec = { description: spec.description, example: (example as Record<string, unknown>)[part] };
    }
    return spec;
  }
  return undefined;
}

/** Renders a parsed template; `html` escapes every value. Missing values render as nothing. */
export function renderNotificationTemplate(
  nodes: readonly TemplateNode[],
  variables: Record<string, unknown>,
  options: { html: boolean },
): string {
  const out: string[] = [];
  const walk = (list: readonly TemplateNode[], scopes: Record<string, unknown>[]) => {
    for (const node of list) {
      if (node.type === 'text') out.push(node.text);
      else if (node.type === 'var') {
        const text = display(resolve(node.path, scopes));
        out.push(options.html ? escapeHtml(text) : text);
      } else if (node.type === 'if') {
        walk(truthy(resolve(node.path, scopes)) ? node.yes : node.no, scopes);
      } else {
        const list = resolve(node.path, scopes);
        if (!Array.isArray(list)) continue;
        for (const item of list) {
          walk(node.body, [
            typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {},
            ...scopes,
          ]);
        }
      }
    }
  };
  walk(nodes, [variables]);
  return out.join('');
}

function resolve(path: string, scopes: Record<string, unknown>[]): unknown {
  const [head, ...rest] = path.split('.');
  for (const scope of scopes) {
    if (!Object.hasOwn(scope, head!)) continue;
    let value: unknown = scope[head!];
    for (const part of rest) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }
  return undefined;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Escapes text for HTML element content and quoted or unquoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (char) => HTML_ESCAPES[char]!);
}

function invalid(field: string, message: string): PatchbayError {
  return new PatchbayError('validation_failed', `The ${field} ${message}`, {
    details: { issues: [{ path: field, message }] },
  });
}

/**
 * The plans file (`PATCHBAY_PLANS_FILE`): plans and plan-from-subscription rules kept in git
 * beside the host's code, loaded at start — YAML (`.yaml`, `.yml`) or JSON (any other name), one
 * schema. The file owns the plans and rules it names (the API refuses to change them); a plan
 * removed from the file is deleted unless end users are on it, which is logged and leaves it in
 * place; a rule removed from the file is deleted.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type { PlansService } from './plans.ts';
import { type PlanInput, type PlansFile, plansFileSchema, type SubscriptionRuleInput } from './schema.ts';
import type { SubscriptionRulesService } from './subscription-rules.ts';

/** Whether the file is read as YAML (by its extension). */
export function isYamlFile(path: string): boolean {
  return ['.yaml', '.yml'].includes(extname(path).toLowerCase());
}

/**
 * Reads and validates the file. Throws `config_invalid` naming the file, and for each problem the
 * line and the field (`plans.1.limits.connections`).
 */
export async function readPlansFile(path: string): Promise<PlansFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PatchbayError(
      'config_invalid',
      `Cannot read the plans file ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parsePlansFile(path, text);
}

/** Parses and validates the text of a plans file named `path` (see readPlansFile). */
export function parsePlansFile(path: string, text: string): PlansFile {
  const yaml = isYamlFile(path);
  // JSON is YAML too: the same document gives the line of a field in either format.
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  let value: unknown;
  if (yaml) {
    const [first] = document.errors;
    if (first) {
      const at = lines.linePos(first.pos[0]);
      throw new PatchbayError(
        'config_invalid',
        `The plans file ${path} is not valid YAML (line ${at.line}, column ${at.col}): ${first.message.split('\n')[0]}`,
        { cause: first },
      );
    }
    value = document.toJS();
  } else {
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new PatchbayError(
        'config_invalid',
        `The plans file ${path} is not valid JSON: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  const lineOf = (issuePath: readonly PropertyKey[]): number | undefined => {
    if (document.errors.length > 0) return undefined;
    // The field itself, or the nearest object that holds it (a missing field has no node).
    for (let length = issuePath.length; length >= 0; length -= 1) {
      const node = document.getIn(issuePath.slice(0, length) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const result = plansFileSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const line = lineOf(issue.path);
      const field = issue.path.join('.') || '(file)';
      return `${line === undefined ? '' : `line ${line}, `}${field}: ${issue.message}`;
    });
    throw new PatchbayError('config_invalid', `The plans file ${path} is invalid: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  const file = result.data;
  const lists = [
    { at: '', plans: file.plans ?? [], rules: file.subscriptionRules ?? [] },
    ...Object.entries(file.environments ?? {}).map(([name, environment]) => ({
      at: `environments.${name}.`,
      plans: environment.plans ?? [],
      rules: environment.subscriptionRules ?? [],
    })),
  ];
  for (const { at, plans, rules } of lists) {
    const keys = plans.map((plan) => plan.key);
    const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
    if (duplicate)
      throw new PatchbayError('config_invalid', `The plans file ${path} lists the plan "${duplicate}" twice`);
    if (plans.filter((plan) => plan.default).length > 1) {
      throw new PatchbayError('config_invalid', `The plans file ${path} marks more than one plan as default`);
    }
    const ruleKeys = rules.map((rule) => rule.key);
    const twice = ruleKeys.find((key, index) => ruleKeys.indexOf(key) !== index);
    if (twice) {
      throw new PatchbayError(
        'config_invalid',
        `The plans file ${path} lists the subscription rule "${twice}" twice (${at}subscriptionRules)`,
      );
    }
  }
  return file;
}

/** The plans the file gives an environment: its own list, else the shared one. */
export function plansForEnvironment(file: PlansFile, environmentName: string): PlanInput[] {
  return file.environments?.[environmentName]?.plans ?? file.plans ?? [];
}

/** The subscription rules the file gives an environment: its own list, else the shared one. */
export function subscriptionRulesForEnvironment(
  file: PlansFile,
  environmentName: string,
): SubscriptionRuleInput[] {
  return file.environments?.[environmentName]?.subscriptionRules ?? file.subscriptionRules ?? [];
}

/** Makes the environment's file-owned plans match `plans` (each change versioned as `file`). */
export async function applyPlansFile(
  service: PlansService,
  environmentId: string,
  plans: readonly PlanInput[],
  logger?: Logger,
): Promise<void> {
  // The default last: a new default replaces the old one only once every plan exists.
  const ordered = [...plans].sort((a, b) => Number(a.default === true) - Number(b.default === true));
  for (const plan of ordered) await service.put(environmentId, plan, 'file');
  const wanted = new Set(plans.map((plan) => plan.key));
  for (const plan of await service.list(environmentId)) {
    if (plan.source !== 'file' || wanted.has(plan.key)) continue;
    try {
      await service.delete(environmentId, plan.key, 'file');
    } catch (error) {
      if (!(error instanceof PatchbayError && error.code === 'conflict')) throw error;
      logger?.warn(
        { planKey: plan.key, environmentId },
        'a plan removed from the plans file still has end users; kept',
      );
    }
  }
}

/**
 * Makes the environment's file-owned subscription rules match `rules` (after its plans: a rule
 * names plans). A rule the file no longer lists is deleted; end users keep their plans.
 */
export async function applySubscriptionRulesFile(
  service: SubscriptionRulesService,
  environmentId: string,
  rules: readonly SubscriptionRuleInput[],
): Promise<void> {
  for (const rule of rules) await service.put(environmentId, rule, 'file');
  const wanted = new Set(rules.map((rule) => rule.key));
  for (const rule of await service.list(environmentId)) {
    if (rule.source === 'file' && !wanted.has(rule.key))
      await service.delete(environmentId, rule.key, 'file');
  }
}

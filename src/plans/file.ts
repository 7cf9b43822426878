/**
 * The plans file (`PATCHBAY_PLANS_FILE`): plans kept in git beside the host's code, loaded at
 * start. The file owns the plans it names (the API refuses to change them); a plan removed from
 * the file is deleted unless end users are on it, which is logged and leaves it in place.
 */
import { readFile } from 'node:fs/promises';
import { PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type { PlansService } from './plans.ts';
import { type PlanInput, type PlansFile, plansFileSchema } from './schema.ts';

/** Reads and validates the file (JSON). Throws `config_invalid` naming the file and the problem. */
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PatchbayError(
      'config_invalid',
      `The plans file ${path} is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  const result = plansFileSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new PatchbayError('config_invalid', `The plans file ${path} is invalid: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  const file = result.data;
  for (const plans of [file.plans ?? [], ...Object.values(file.environments ?? {}).map((e) => e.plans)]) {
    const keys = plans.map((plan) => plan.key);
    const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
    if (duplicate)
      throw new PatchbayError('config_invalid', `The plans file ${path} lists the plan "${duplicate}" twice`);
    if (plans.filter((plan) => plan.default).length > 1) {
      throw new PatchbayError('config_invalid', `The plans file ${path} marks more than one plan as default`);
    }
  }
  return file;
}

/** The plans the file gives an environment: its own list, else the shared one. */
export function plansForEnvironment(file: PlansFile, environmentName: string): PlanInput[] {
  return file.environments?.[environmentName]?.plans ?? file.plans ?? [];
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

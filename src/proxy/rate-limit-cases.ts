/**
 * Which rate applies to one call: the definition's own, or the first of its `cases` whose value,
 * rendered with the call's connection values, matches its pattern. Stripe gives a test-mode key a
 * quarter of a live key's allowance; its definitions name the key in a case, so the proxy paces
 * each connection at the rate its own key is allowed, with no provider named here.
 */
import { type RateLimit, renderTemplate, type TemplateValues } from '../catalog/index.ts';

const compiled = new Map<string, RegExp>();

/** The rate limit for a call with these template values (the definition's when no case matches). */
export function rateLimitFor(limit: RateLimit | undefined, values: TemplateValues): RateLimit | undefined {
  if (!limit?.cases) return limit;
  for (const rate of limit.cases) {
    if (!matches(rate.when.value, rate.when.matches, values)) continue;
    const { cases: _cases, burst: _burst, ...shared } = limit;
    return {
      ...shared,
      requests: rate.requests,
      windowSeconds: rate.windowSeconds,
      ...(rate.burst === undefined ? {} : { burst: rate.burst }),
    };
  }
  return limit;
}

/** Whether `template`, rendered with `values`, matches the pattern `source` (a missing value: no). */
export function matches(template: string, source: string, values: TemplateValues): boolean {
  let value: string;
  try {
    value = renderTemplate(template, values, { as: 'text' });
  } catch {
    // A value the connection does not have: this case is not its.
    return false;
  }
  let pattern = compiled.get(source);
  if (!pattern) {
    pattern = new RegExp(source);
    compiled.set(source, pattern);
  }
  return pattern.test(value);
}

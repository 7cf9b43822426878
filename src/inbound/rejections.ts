/** `patchbay_inbound_rejections_total{provider,code}`: deliveries refused, by why. */
import { Counter, type Registry } from 'prom-client';

export interface RejectionCounter {
  inc(provider: string, code: string): void;
}

const NAME = 'patchbay_inbound_rejections_total';
const LABELS = ['provider', 'code'] as const;

/** Reuses the counter when the registry already has it (several API instances on one registry). */
export function rejectionCounter(registry: Registry): RejectionCounter {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<(typeof LABELS)[number]> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Inbound webhook deliveries rejected, by provider and error code.',
      labelNames: LABELS,
      registers: [registry],
    });
  return {
    inc(provider, code) {
      counter.inc({ provider, code });
    },
  };
}

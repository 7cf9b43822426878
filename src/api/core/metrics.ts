import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** A Prometheus registry with the default process metrics (CPU, memory, event loop, GC…). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  observe(labels: { method: string; route: string; status: number }, seconds: number): void;
}

const LABELS = ['method', 'route', 'status'] as const;

/**
 * Request count and duration by method, route pattern and status. Reuses the metrics when the
 * registry already has them (several API instances sharing one registry).
 */
export function httpMetrics(registry: Registry): HttpMetrics {
  const requests =
    (registry.getSingleMetric('patchbay_http_requests_total') as
      | Counter<(typeof LABELS)[number]>
      | undefined) ??
    new Counter({
      name: 'patchbay_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: LABELS,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('patchbay_http_request_duration_seconds') as
      | Histogram<(typeof LABELS)[number]>
      | undefined) ??
    new Histogram({
      name: 'patchbay_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route pattern and status.',
      labelNames: LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return {
    observe(labels, seconds) {
      const values = { method: labels.method, route: labels.route, status: String(labels.status) };
      requests.inc(values);
      duration.observe(values, seconds);
    },
  };
}

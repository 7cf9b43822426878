/** Counts of a fuzz run: requests, and answers by status and error code and by what they exercised. */
import { errorCodeOf } from './check.ts';
import type { FuzzRequest } from './request.ts';
import type { FuzzResponse } from './send.ts';

export class FuzzStats {
  requests = 0;
  readonly byStatus = new Map<number, number>();
  /** Answers by outcome: `200`, `404 not_found`… (a HEAD error has no body to read a code from). */
  readonly byAnswer = new Map<string, number>();
  readonly byTarget = new Map<string, number>();
  /** Per target, answers by outcome. */
  readonly outcomes = new Map<string, Map<string, number>>();
  readonly #started = performance.now();
  durationMs = 0;

  record(request: FuzzRequest, response: FuzzResponse): void {
    this.requests += 1;
    increment(this.byStatus, response.status);
    increment(this.byTarget, request.target);
    const answer = answerOf(request, response);
    increment(this.byAnswer, answer);
    const outcomes = this.outcomes.get(request.target) ?? new Map<string, number>();
    increment(outcomes, answer);
    this.outcomes.set(request.target, outcomes);
  }

  finish(): void {
    this.durationMs = performance.now() - this.#started;
  }

  get requestsPerSecond(): number {
    return this.durationMs > 0 ? (this.requests * 1000) / this.durationMs : 0;
  }

  /** One line: `612 requests in 9.8 s (62/s); statuses 200×210 400×301 …`. */
  summary(): string {
    const statuses = [...this.byStatus]
      .sort((a, b) => a[0] - b[0])
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return `${this.requests} requests in ${(this.durationMs / 1000).toFixed(1)} s (${Math.round(this.requestsPerSecond)}/s); statuses ${statuses}`;
  }

  /** Every answer with its count, most frequent first. */
  answers(): Array<[string, number]> {
    return [...this.byAnswer].sort((a, b) => b[1] - a[1]);
  }

  /** `400 validation_failed×120, …` for the error answers. */
  errors(): string {
    return this.answers()
      .filter(([answer]) => Number(answer.slice(0, 3)) >= 400)
      .map(([answer, count]) => `${answer}×${count}`)
      .join(', ');
  }
}

function answerOf(request: FuzzRequest, response: FuzzResponse): string {
  if (response.status < 400) return String(response.status);
  const code = request.method === 'HEAD' ? '(HEAD: no body)' : (errorCodeOf(response) ?? '(no code)');
  return `${response.status} ${code}`;
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

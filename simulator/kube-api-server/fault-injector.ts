import { seededRandom } from './seeded-random';

/** Faults injected into matching requests: throttling, server errors, connection resets and latency. */

export type FaultResponse =
  | { status: 429; retryAfterSeconds?: number }
  | { status: 500 | 503 }
  | { reset: true }
  | { latencyMs: number }
  /** etcd compacts its history just before the request, so the continue token it carries has expired. */
  | { compaction: true };

export interface FaultRule {
  verb?: string;
  resource?: string;
  name?: string;
  /** Only list requests that continue an earlier page (carry a continue token). */
  continued?: boolean;
  /** Apply to this many matching requests, then stop (default: every one). */
  times?: number;
  /** Apply to this fraction of matching requests, chosen by a seeded generator (default 1). */
  fraction?: number;
  /** The answer; with several, each hit answers one of them, chosen by the same seeded generator. */
  response: FaultResponse | readonly FaultResponse[];
}

export interface FaultHandle {
  remove(): void;
  /** How many requests this fault has hit. */
  readonly hits: number;
}

interface ActiveFault {
  rule: FaultRule;
  hits: number;
  random: () => number;
}

const FAULT_SEED = 20261125;

export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  add(rule: FaultRule): FaultHandle {
    // Each fault draws from its own sequence with the same seed: which requests a fraction hits depends only on the order of its matching requests.
    const fault: ActiveFault = { rule, hits: 0, random: seededRandom(FAULT_SEED) };
    this.active.push(fault);
    return {
      remove: () => {
        const index = this.active.indexOf(fault);
        if (index >= 0) this.active.splice(index, 1);
      },
      get hits() {
        return fault.hits;
      },
    };
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The faults that apply to this request, in the order they were added; counts each hit. */
  match(request: { verb: string; resource: string; name?: string; continued?: boolean }): FaultResponse[] {
    const responses: FaultResponse[] = [];
    for (const fault of this.active) {
      const { rule } = fault;
      if (rule.verb && rule.verb !== request.verb) continue;
      if (rule.resource && rule.resource !== request.resource) continue;
      if (rule.name && rule.name !== request.name) continue;
      if (rule.continued && !request.continued) continue;
      if (rule.times !== undefined && fault.hits >= rule.times) continue;
      if (rule.fraction !== undefined && fault.random() >= rule.fraction) continue;
      fault.hits += 1;
      const choices: FaultResponse[] = Array.isArray(rule.response) ? (rule.response as FaultResponse[]) : [rule.response as FaultResponse];
      responses.push(choices.length === 1 ? choices[0]! : choices[Math.floor(fault.random() * choices.length)]!);
    }
    return responses;
  }
}

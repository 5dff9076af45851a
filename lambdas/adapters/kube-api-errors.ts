import { ApiException } from '@kubernetes/client-node';
import { KubernetesApiError, TransientError } from '../errors';

/**
 * The one place that decides which Kubernetes API failures are worth retrying: throttling (429), server errors
 * (500/502/503/504) and network failures are; everything else is final and carries the API's own message.
 */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

interface KubeStatus {
  message?: string;
  reason?: string;
}

export function statusOf(error: ApiException<unknown>): KubeStatus {
  if (typeof error.body !== 'string') return {};
  try {
    return JSON.parse(error.body) as KubeStatus;
  } catch {
    return { message: error.body };
  }
}

function networkCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (/socket hang up|fetch failed|other side closed/i.test(current.message) && !(current instanceof ApiException)) return 'network';
  }
  return undefined;
}

/** Maps a client-node failure to the scheduler's error family; `action` says what was being done, for the message. */
export function toSchedulerError(error: unknown, action: string): Error {
  if (error instanceof ApiException) {
    const status = statusOf(error);
    const message = `${action}: HTTP ${error.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message ?? 'no message from the API server'}`;
    if (RETRYABLE_STATUS.has(error.code)) {
      const retryAfter = error.headers?.['retry-after'];
      return new TransientError(retryAfter ? `${message} (Retry-After ${retryAfter}s)` : message);
    }
    return new KubernetesApiError(message, error.code, status.reason);
  }
  const code = networkCode(error);
  if (code) return new TransientError(`${action}: network error (${code}): ${(error as Error).message}`);
  return error instanceof Error ? error : new Error(`${action}: ${String(error)}`);
}

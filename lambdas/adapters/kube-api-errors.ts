import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
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

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** Walks the cause chain by shape, not class: fetch's DOMException and undici's errors may come from another realm. */
function networkCode(error: unknown): string | undefined {
  for (let current = error as ErrorLike | undefined; current && typeof current === 'object'; current = current.cause as ErrorLike) {
    // AbortSignal.timeout aborts fetch with a DOMException named TimeoutError.
    if (current.name === 'TimeoutError') return 'timeout';
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code;
    const message = typeof current.message === 'string' ? current.message : '';
    if (/socket hang up|fetch failed|other side closed/i.test(message) && !(current instanceof ApiException)) return 'network';
  }
  return undefined;
}

/** Maps a client-node failure to the scheduler's error family; `action` says what was being done, for the message. */
export function toSchedulerError(error: unknown, action: string): Error {
  if (error instanceof ApiException) {
    const status = statusOf(error);
    const message = `${action}: HTTP ${error.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message ?? 'no message from the API server'}`;
    if (RETRYABLE_STATUS.has(error.code)) {
      const retryAfter = error.headers['retry-after'];
      return retryAfter
        ? new TransientError(`${message} (Retry-After ${retryAfter}s)`, retryAfterMs(retryAfter), { cause: error })
        : new TransientError(message, undefined, { cause: error });
    }
    return new KubernetesApiError(message, error.code, status.reason, { cause: error });
  }
  const code = networkCode(error);
  if (code)
    return new TransientError(`${action}: network error (${code}): ${String((error as ErrorLike).message)}`, undefined, { cause: error });
  return error instanceof Error ? error : new Error(`${action}: ${String(error)}`);
}

/** Retry-After (RFC 9110): a number of seconds, or an HTTP date; what cannot be read asks for no wait. */
function retryAfterMs(value: string): number | undefined {
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

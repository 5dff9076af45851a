import * as z from './zod-mini';

/** Timestamps must carry a zone (Z or an offset): a bare local time is ambiguous at 3 a.m. */
export const IsoTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z' });

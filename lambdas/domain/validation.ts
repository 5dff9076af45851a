import * as z from './zod-mini';
import { InvalidInputError } from '../errors';

/** Parses `value` with `schema`, or throws an InvalidInputError whose message names every bad field. */
export function parseInput<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  throw new InvalidInputError(`Invalid ${what}: ${issues.join('; ')}`, issues, { cause: result.error });
}

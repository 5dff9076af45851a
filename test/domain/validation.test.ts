import { z } from 'zod';
import { parseInput } from '../../lambdas/domain/validation';
import { InvalidInputError } from '../../lambdas/errors';

describe('parsing an input against its schema', () => {
  const schema = z.strictObject({ target: z.string(), hours: z.number().int() });

  test('returns the parsed value when it fits', () => {
    expect(parseInput(schema, { target: 'orders', hours: 2 }, 'input')).toEqual({ target: 'orders', hours: 2 });
  });

  test('names every bad field, and keeps the schema failure as the cause', () => {
    let caught: unknown;
    try {
      parseInput(schema, { hours: 1.5 }, 'backup workflow input');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    const error = caught as InvalidInputError;
    expect(error.issues).toEqual([
      'target: Invalid input: expected string, received undefined',
      'hours: Invalid input: expected int, received number',
    ]);
    expect(error.message).toBe(`Invalid backup workflow input: ${error.issues.join('; ')}`);
    expect(error.cause).toBeInstanceOf(z.core.$ZodError);
    expect((error.cause as z.core.$ZodError).issues).toHaveLength(2);
  });
});

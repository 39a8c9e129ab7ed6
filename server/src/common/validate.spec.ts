import { registerRequestSchema } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiException } from './api-exception';
import { validate } from './validate';

function problems(schema: z.ZodType, input: unknown) {
  try {
    validate(schema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return (error as ApiException).fieldProblems;
  }
  throw new Error('expected a validation error');
}

describe('validate', () => {
  it('maps schema issues to one problem per field, with catalogue keys', () => {
    expect(problems(registerRequestSchema, { username: 'ok_name', email: 'no' })).toEqual(
      expect.arrayContaining([
        { field: 'email', code: 'validation.email' },
        { field: 'password', code: 'validation.required' },
        { field: 'address', code: 'validation.required' },
      ]),
    );
  });

  it('gives schemas without their own messages generic keys', () => {
    const schema = z.object({ name: z.string().max(3), age: z.number() });
    expect(problems(schema, { name: 'long', age: 'x' })).toEqual([
      { field: 'name', code: 'validation.tooLong' },
      { field: 'age', code: 'validation.invalid' },
    ]);
  });

  it('treats a missing body as an empty object', () => {
    expect(problems(z.object({ a: z.string() }), undefined)).toEqual([{ field: 'a', code: 'validation.required' }]);
  });
});

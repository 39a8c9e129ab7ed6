import type { PipeTransform } from '@nestjs/common';
import type { ZodType, z } from 'zod';
import { ApiException } from './api-exception';

function problemCode(issue: { code: string; message: string; input?: unknown }): string {
  if (issue.message.startsWith('validation.')) return issue.message;
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'validation.required' : 'validation.invalid';
  if (issue.code === 'too_big') return 'validation.tooLong';
  return 'validation.invalid';
}

/**
 * Parses input with a schema from the shared package. Unknown keys are stripped by the schemas,
 * wrong types rejected; failure is a 400 naming each field, and nothing downstream runs.
 */
export function validate<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems = result.error.issues
    .map((issue) => ({ field: issue.path.join('.'), code: problemCode(issue as never) }))
    .filter(({ field }) => !seen.has(field) && seen.add(field));
  throw new ApiException('VALIDATION_FAILED', problems);
}

export class ZodBody<S extends ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return validate(this.schema, value);
  }
}

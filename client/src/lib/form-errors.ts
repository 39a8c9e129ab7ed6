import type { FieldError } from '@konferenz/shared';
import type { Problem } from './i18n.svelte';

/** The part of a zod error we read: each issue's path and its message, which our schemas make a catalogue key. */
export interface ValidationIssues {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

/** Problems by dotted field path (`address.postalCode`), the first one per field. */
export type FieldProblems = Record<string, Problem>;

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

export function problemsFromValidation(error: ValidationIssues): FieldProblems {
  const problems: FieldProblems = {};
  for (const issue of error.issues) {
    const field = fieldPath(issue.path);
    problems[field] ??= { key: issue.message };
  }
  return problems;
}

/** A field error as the client may refine it: with a text built from details of the refusal (see Problem.text). */
export type ShownFieldError = FieldError & Pick<Problem, 'text'>;

export function problemsFromFieldErrors(fieldErrors: readonly ShownFieldError[]): FieldProblems {
  const problems: FieldProblems = {};
  for (const { field, code, message, text } of fieldErrors) problems[field] ??= { key: code, fallback: message, ...(text && { text }) };
  return problems;
}

/**
 * Splits problems into those a form shows beside its fields and the rest (a field the form has
 * no input for, or the body as a whole), which it shows with the form's message.
 */
export function splitByShownFields(problems: FieldProblems, isShown: (field: string) => boolean): { shown: FieldProblems; other: Problem[] } {
  const shown: FieldProblems = {};
  const other: Problem[] = [];
  for (const [field, problem] of Object.entries(problems)) {
    if (field && isShown(field)) shown[field] = problem;
    else other.push(problem);
  }
  return { shown, other };
}

import { tick } from 'svelte';
import type { CatalogueKey } from '@konferenz/shared';
import { ApiError } from './api';
import { describe, type Problem } from './i18n.svelte';
import { problemsFromFieldErrors, problemsFromValidation, splitByShownFields, type FieldProblems, type ValidationIssues } from './form-errors';
import { followSessionError } from './session';

/** What `safeParse` of a zod schema returns, reduced to what a form needs. */
type ParseResult<Out> = { success: true; data: Out } | { success: false; error: ValidationIssues };
interface Schema<Out> {
  safeParse(value: unknown): ParseResult<Out>;
}

/**
 * State of one form: validate with the shared schema, send, and map the server's answer back to
 * its fields. Problems are kept as catalogue keys so they follow a language switch.
 */
export class FormState {
  busy = $state(false);
  fieldProblems = $state<FieldProblems>({});
  formProblem = $state<Problem | null>(null);
  otherProblems = $state<Problem[]>([]);
  success = $state<CatalogueKey | null>(null);

  /** The translated problem of one field, for the field component. */
  error(field: string): string | undefined {
    const problem = this.fieldProblems[field];
    return problem ? describe(problem) : undefined;
  }

  /**
   * Handles a submit event: checks `values` with `schema`, then runs `send` with the parsed data.
   * Resolves true when the request succeeded.
   */
  async submit<Out>(
    event: SubmitEvent,
    schema: Schema<Out>,
    values: unknown,
    send: (data: Out) => Promise<unknown>,
    success: CatalogueKey | null = null,
  ): Promise<boolean> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (this.busy) return false;
    this.#clear();

    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      this.#show(form, problemsFromValidation(parsed.error), { key: 'error.VALIDATION_FAILED' });
      await this.#focusFirstProblem(form);
      return false;
    }

    this.busy = true;
    try {
      await send(parsed.data);
      this.success = success;
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (await followSessionError(error)) return false;
      this.#show(form, problemsFromFieldErrors(error.fieldErrors), error.problem);
      await this.#focusFirstProblem(form);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Shows the failure of a request sent outside `submit` (a later step of a two-step form), with `form`'s fields. */
  async fail(form: HTMLFormElement, error: ApiError): Promise<void> {
    this.#clear();
    this.#show(form, problemsFromFieldErrors(error.fieldErrors), error.problem);
    await this.#focusFirstProblem(form);
  }

  #clear(): void {
    this.fieldProblems = {};
    this.formProblem = null;
    this.otherProblems = [];
    this.success = null;
  }

  #show(form: HTMLFormElement, problems: FieldProblems, formProblem: Problem): void {
    const { shown, other } = splitByShownFields(problems, (field) => form.elements.namedItem(field) !== null);
    this.fieldProblems = shown;
    this.otherProblems = other;
    this.formProblem = formProblem;
  }

  async #focusFirstProblem(form: HTMLFormElement): Promise<void> {
    await tick();
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }
}

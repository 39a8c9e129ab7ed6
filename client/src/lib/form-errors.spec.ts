import { pinSetupRequestSchema, registerRequestSchema } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { problemsFromFieldErrors, problemsFromValidation, splitByShownFields } from './form-errors';
import { emptyProfile } from './profile-values';

describe('problemsFromValidation', () => {
  it('keys problems by dotted path with the catalogue key the shared schema gives', () => {
    const result = registerRequestSchema.safeParse({
      username: 'anna',
      email: 'anna@example.org',
      password: 'anna-the-great-2026',
      ...emptyProfile('de'),
      firstName: 'Anna',
      lastName: 'Berg',
      address: { street: 'Hauptstraße', houseNumber: '5', postalCode: '!', city: 'Köln', country: 'DE' },
    });
    expect(result.success).toBe(false);
    if (result.success) return;

    expect(problemsFromValidation(result.error)).toEqual({
      'address.postalCode': { key: 'validation.postalCode' },
      password: { key: 'validation.password.containsIdentity' },
    });
  });

  it('keeps the first problem of a field', () => {
    const result = pinSetupRequestSchema('47110815').safeParse({ moderatorPin: '1', participantPin: '1' });
    expect(result.success).toBe(false);
    if (result.success) return;

    const problems = problemsFromValidation(result.error);
    expect(problems.moderatorPin).toEqual({ key: 'validation.pin.format' });
    expect(problems.participantPin).toEqual({ key: 'validation.pin.format' });
  });
});

describe('problemsFromFieldErrors', () => {
  it('keeps the server message as fallback for codes the catalogue may not know', () => {
    expect(
      problemsFromFieldErrors([
        { field: 'pin', code: 'validation.pin.trivial', message: 'zu leicht' },
        { field: 'pin', code: 'validation.pin.format', message: 'Format' },
      ]),
    ).toEqual({ pin: { key: 'validation.pin.trivial', fallback: 'zu leicht' } });
  });
});

describe('splitByShownFields', () => {
  it('moves problems of fields without an input, and of the whole body, to the form message', () => {
    const { shown, other } = splitByShownFields(
      { pin: { key: 'validation.pin.trivial' }, address: { key: 'validation.type.object' }, '': { key: 'validation.invalid' } },
      (field) => field === 'pin' || field === '',
    );
    expect(shown).toEqual({ pin: { key: 'validation.pin.trivial' } });
    expect(other).toEqual([{ key: 'validation.type.object' }, { key: 'validation.invalid' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { UserSchema } from './user.schema';

describe('UserSchema', () => {
  it('indexes what the public verify-email link looks users up by', () => {
    const indexed = UserSchema.indexes().map(([fields]) => Object.keys(fields));
    expect(indexed).toContainEqual(['emailVerification.tokenHash']);
    expect(indexed).toContainEqual(['verifiedWithTokenHash']);
  });
});

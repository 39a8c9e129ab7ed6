import { randomUUID } from 'node:crypto';
import type { RegisterForm } from '@konferenz/shared';

/** A valid registration with a unique username and email. */
export function registration(overrides: Partial<RegisterForm> = {}): RegisterForm & { language: 'de' | 'en' } {
  const id = randomUUID().slice(0, 8);
  return {
    username: `user_${id}`,
    email: `user.${id}@example.org`,
    password: 'Leuchtturm-Wolke-Kaffee',
    firstName: 'Erika',
    lastName: 'Mustermann',
    address: { street: 'Hauptstraße', houseNumber: '5a', postalCode: '10115', city: 'Berlin', country: 'DE' },
    language: 'de',
    ...overrides,
  };
}

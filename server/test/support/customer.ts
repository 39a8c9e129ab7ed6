import { roomNumberFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import type { ApiClient } from './api-client';
import { waitForMail } from './mail-inbox';
import type { TestApp } from './test-app';

export const MODERATOR_PIN = '583920';
export const PARTICIPANT_PIN = '740215';

/** A registered, logged-in customer whose room has both PINs set. */
export async function customerWithRoom(app: TestApp): Promise<{ client: ApiClient; roomNumber: string }> {
  const form = registration();
  await app.client().post('/api/accounts', form);
  const roomNumber = roomNumberFrom((await waitForMail(form.email))[0]!.text);
  const client = app.client();
  await client.post('/api/auth/login', { login: form.username, password: form.password });
  await client.post('/api/account/pins', { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  return { client, roomNumber };
}

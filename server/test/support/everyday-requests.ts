import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { roomNumberFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import type { ApiClient } from './api-client';
import { MODERATOR_PIN, PARTICIPANT_PIN } from './customer';
import { waitForMail } from './mail-inbox';
import type { TestApp } from './test-app';

export interface RegularCustomer {
  username: string;
  password: string;
  roomNumber: string;
}

/** A registered customer whose room has its PINs set (the participant PIN is PARTICIPANT_PIN). */
export async function regularCustomer(app: TestApp): Promise<RegularCustomer> {
  const form = registration();
  await app.client().post('/api/accounts', form);
  const customer = { username: form.username, password: form.password, roomNumber: roomNumberFrom((await waitForMail(form.email))[0]!.text) };
  const client = app.client();
  const login = await logIn(client, customer);
  if (!login.expected) throw new Error(`Setup login answered ${login.status}`);
  const pins = await client.post('/api/account/pins', { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  if (pins.status !== 200) throw new Error(`Setup of the PINs answered ${pins.status}`);
  return customer;
}

export interface Answer {
  request: 'login' | 'account' | 'join';
  status: number;
  /** Whether this is the answer a working server gives. */
  expected: boolean;
  body: unknown;
}

/** Logs the client in with the right password. */
export async function logIn(client: ApiClient, customer: RegularCustomer): Promise<Answer> {
  const { status, body } = await client.post('/api/auth/login', { login: customer.username, password: customer.password });
  return { request: 'login', status, body, expected: status === 200 && body?.username === customer.username };
}

/**
 * What users do all day, each answered as it must be by a working server: a login with the
 * right password, a request on a session that is still valid (`session`, logged in before), a
 * guest's join with the right PIN.
 */
export async function everydayRequests(app: TestApp, customer: RegularCustomer, session: ApiClient): Promise<Answer[]> {
  const login = await logIn(app.client(), customer);
  const account = await session.get('/api/account');
  const join = await app.client().post('/api/conference/join', { roomNumber: customer.roomNumber, pin: PARTICIPANT_PIN, displayName: 'Gast' });
  return [
    login,
    { request: 'account', status: account.status, body: account.body, expected: account.status === 200 && account.body?.username === customer.username },
    { request: 'join', status: join.status, body: join.body, expected: join.status === 200 && join.body?.role === 'participant' },
  ];
}

/** "3 of 30 unexpected: join 500 {...}" — what a failing expectation shows. */
export function unexpectedAnswers(answers: Answer[]): string {
  const unexpected = answers.filter((answer) => !answer.expected);
  const examples = unexpected.slice(0, 5).map((answer) => `${answer.request} ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`);
  return [`${unexpected.length} of ${answers.length} unexpected`, ...examples].join('\n');
}

/** A session as connect-mongo stores it. */
interface StoredSession {
  _id: string;
  expires: Date;
  session: string;
}

/**
 * The app's `sessions` collection seen over a connection of the test's own: the app's single
 * connection is the thing under test, and must not be touched from outside.
 */
export async function sessionsCollection(app: TestApp): Promise<{ sessions: mongo.Collection<StoredSession>; close(): Promise<void> }> {
  const client = await new mongo.MongoClient(app.databaseUri).connect();
  return { sessions: client.db().collection<StoredSession>('sessions'), close: () => client.close() };
}

/** Stores a session that expired a minute ago and waits until the app's sweep has removed it. */
export async function expiredSessionSwept(sessions: mongo.Collection<StoredSession>, timeoutMs = 5_000): Promise<void> {
  const _id = `expired-${randomUUID()}`;
  await sessions.insertOne({ _id, expires: new Date(Date.now() - 60_000), session: '{"cookie":{}}' });
  const deadline = Date.now() + timeoutMs;
  while ((await sessions.countDocuments({ _id })) > 0) {
    if (Date.now() > deadline) throw new Error(`The expired session was not swept within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { DEFAULT_ROOM_SETTINGS } from '@konferenz/shared';
import { getConnectionToken } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConferenceParticipant } from './support/conference-participant';
import { everydayRequests, expiredSessionSwept, logIn, regularCustomer, sessionsCollection, unexpectedAnswers, type Answer } from './support/everyday-requests';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * One app for the whole file: passport keeps every app's session deserializer in one
 * process-wide chain, so a second app's logins would be answered by the first.
 */
let app: TestApp;
let client: mongo.MongoClient;
let sessions: Awaited<ReturnType<typeof sessionsCollection>>;
/** Every command the app sends over its one database connection, from any library. */
const commands: mongo.CommandStartedEvent[] = [];
const record = (event: mongo.CommandStartedEvent) => commands.push(event);

beforeAll(async () => {
  const database = `konferenz_${randomUUID().slice(0, 8)}`;
  app = await startTestApp({
    MONGODB_URI: `mongodb://127.0.0.1:${inject('databasePort')}/${database}?maxPoolSize=1&monitorCommands=true`,
    SESSION_SWEEP_SECONDS: '1',
  });
  client = app.app.get<Connection>(getConnectionToken()).getClient();
  client.on('commandStarted', record);
  sessions = await sessionsCollection(app);
});
afterAll(async () => {
  // The driver's own endSessions at close is w:0 by design: the connection is closed right after.
  client?.off('commandStarted', record);
  await sessions?.close();
  await app?.close();
});

describe('the expiry sweep of the session store', () => {
  it('removes expired sessions and leaves the database connection answering: after each of three sweeps, login, session and PIN join work', async () => {
    const customer = await regularCustomer(app);
    const session = app.client();
    const answers: Answer[] = [await logIn(session, customer)];
    for (let sweep = 0; sweep < 3; sweep++) {
      await expiredSessionSwept(sessions.sessions);
      answers.push(...(await everydayRequests(app, customer, session)));
    }
    expect(unexpectedAnswers(answers)).toBe(`0 of ${answers.length} unexpected`);
    // The customer's own session is not expired and stays.
    expect((await session.get('/api/auth/session')).body).toMatchObject({ authenticated: true, username: customer.username });
  });

  it('sends no unacknowledged write (w:0) over the app connection, from any library, in registration, login, PINs, joins, password reset, room settings, conference marks, logout and sweep', async () => {
    // FerretDB answers even what it was told not to answer; that stray reply would be read as the
    // answer to the next command on the one connection.
    const outcome = await everyKindOfWrite().then(
      (statuses) => ({ statuses }),
      (error: Error) => ({ error: error.message }),
    );
    await expiredSessionSwept(sessions.sessions);
    const unacknowledged = commands.filter((event) => event.command.writeConcern?.w === 0);
    expect(unacknowledged.map((event) => `${event.commandName} ${JSON.stringify(event.command).slice(0, 200)}`)).toEqual([]);
    expect(outcome).toEqual({
      statuses: {
        login: 200,
        account: 200,
        join: 200,
        wrongPassword: 401,
        wrongPin: 401,
        passwordReset: 202,
        roomSettings: 200,
        host: 200,
        lock: true,
        end: true,
        logout: 204,
      },
    });
    expect(
      commands.some((event) => event.commandName === 'delete' && event.command.delete === 'sessions'),
      'the sweep ran over the app connection',
    ).toBe(true);
  });
});

/** Something of everything the product writes to the database, with the status of each step. */
async function everyKindOfWrite(): Promise<Record<string, number | boolean>> {
  const statuses: Record<string, number | boolean> = {};
  const customer = await regularCustomer(app);
  const session = app.client();
  await logIn(session, customer);
  for (const answer of await everydayRequests(app, customer, session)) statuses[answer.request] = answer.status;
  statuses.wrongPassword = (await app.client().post('/api/auth/login', { login: customer.username, password: 'falsch-falsch-falsch' })).status;
  statuses.wrongPin = (await app.client().post('/api/conference/join', { roomNumber: customer.roomNumber, pin: '918273', displayName: 'Gast' })).status;
  statuses.passwordReset = (await app.client().post('/api/auth/forgot-password', { login: customer.username })).status;
  statuses.roomSettings = (await session.put('/api/account/room-settings', DEFAULT_ROOM_SETTINGS)).status;
  const host = await session.post('/api/conference/host', { displayName: 'Host' });
  statuses.host = host.status;
  const moderator = await ConferenceParticipant.connect(app.url, host.body.token);
  statuses.lock = (await moderator.request('moderator:setLocked', { locked: true })).ok;
  statuses.end = (await moderator.request('moderator:end', {})).ok;
  moderator.close();
  statuses.logout = (await session.post('/api/auth/logout')).status;
  return statuses;
}

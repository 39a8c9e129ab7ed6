import { afterAll, beforeAll, expect, it } from 'vitest';
import { everydayRequests, expiredSessionSwept, logIn, regularCustomer, sessionsCollection, unexpectedAnswers, type Answer } from './support/everyday-requests';
import { startTestApp, type TestApp } from './support/test-app';

/** Long enough to cross a dozen sweeps, one a second. */
const SOAK_MS = 15_000;
const CUSTOMERS = 3;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ SESSION_SWEEP_SECONDS: '1' });
});
afterAll(() => app?.close());

it('answers every login, session request and PIN join as expected for 15 s while the session sweep runs every second, and sweeps what expired', async () => {
  const customers = await Promise.all(Array.from({ length: CUSTOMERS }, () => regularCustomer(app)));
  const { sessions, close } = await sessionsCollection(app);
  const answers: Answer[] = [];
  let sweepsSeen = 0;
  const until = Date.now() + SOAK_MS;
  try {
    // Each customer logs in and then uses the product without a pause; meanwhile a session
    // expires and must be gone by the next sweep, again and again.
    const users = customers.map(async (customer) => {
      const session = app.client();
      answers.push(await logIn(session, customer));
      while (Date.now() < until) answers.push(...(await everydayRequests(app, customer, session)));
    });
    const expiries = (async () => {
      while (Date.now() < until) {
        await expiredSessionSwept(sessions);
        sweepsSeen++;
      }
    })();
    await Promise.all([...users, expiries]);
    expect(unexpectedAnswers(answers)).toBe(`0 of ${answers.length} unexpected`);
    expect(answers.length).toBeGreaterThan(100);
    expect(sweepsSeen).toBeGreaterThanOrEqual(10);
    // Every login made a session that is still valid (the setup's among them): none was swept.
    const logins = answers.filter((answer) => answer.request === 'login').length;
    expect(await sessions.countDocuments({ expires: { $gt: new Date() } })).toBe(CUSTOMERS + logins);
  } finally {
    await close();
  }
});

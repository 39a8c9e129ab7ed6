import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinResponse, ParticipantView } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { freePort } from '../../../src/embedded/free-port';
import type { PromptKey } from '../../../src/phone/ivr-state-machine';
import { PhoneGatewayService } from '../../../src/phone/phone-gateway.service';
import { ConferenceParticipant } from '../../support/conference-participant';
import { MODERATOR_PIN } from '../../support/customer';
import { startTestApp, type TestApp } from '../../support/test-app';
import { recordPrompts } from './phone-observation';
import { requireSipp } from './sipp';

/** The whole app with its real SIP gateway, for one describe block of callers dialling in with sipp. */
export class DialInApp {
  app!: TestApp;
  /** The SIP gateway's port on loopback. */
  sipPort = 0;
  /** A folder for the calls' scenarios and audio, removed after the block. */
  dir = '';
  /** What the gateway said to each call of the current test (see recordPrompts); one array for the whole block. */
  readonly prompts: PromptKey[][] = [];
  /** Browsers in the room (socket clients), closed after each test. */
  readonly open: ConferenceParticipant[] = [];

  readonly #dirPrefix: string;

  constructor(dirPrefix: string) {
    this.#dirPrefix = dirPrefix;
  }

  /** A moderator of the room, in a browser: whose participant list shows what the callers did. */
  readonly moderatorOf = async (roomNumber: string): Promise<ConferenceParticipant> => {
    const joined = await this.app.client().post<JoinResponse>('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' });
    const moderator = await ConferenceParticipant.connect(this.app.url, joined.body.token);
    this.open.push(moderator);
    return moderator;
  };

  async start(): Promise<void> {
    requireSipp();
    this.dir = mkdtempSync(join(tmpdir(), this.#dirPrefix));
    this.app = await startTestApp({ SIP_PORT: String(await freePort()) });
    this.sipPort = this.app.app.get(PhoneGatewayService).port!;
    expect(this.sipPort).toBeGreaterThan(0);
    recordPrompts(this.prompts);
  }

  afterTest(): void {
    for (const participant of this.open.splice(0)) participant.close();
    this.prompts.splice(0);
  }

  async stop(): Promise<void> {
    vi.restoreAllMocks();
    await this.app?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The app for the describe block this is called in: started before its tests, browsers closed
 * and prompts cleared after each test, stopped after all (it registers the block's hooks).
 * `dirPrefix` names the temporary folder, e.g. 'konferenz-dial-in-dtmf-'.
 */
export function useDialInApp(dirPrefix: string): DialInApp {
  const dialIn = new DialInApp(dirPrefix);
  beforeAll(() => dialIn.start());
  afterEach(() => dialIn.afterTest());
  afterAll(() => dialIn.stop());
  return dialIn;
}

/** The phone caller shown as `displayName` (its masked number) in a participant or waiting list. */
export const phoneNamed = (list: ParticipantView[], displayName: string) =>
  list.find((participant) => participant.via === 'phone' && participant.displayName === displayName);

import type { ConferenceStateView } from '@konferenz/shared';
import { vi } from 'vitest';
import type { ConferenceEvent } from '../../../src/conference/conference-events';
import type { ConferenceService } from '../../../src/conference/conference.service';
import type { JoinClaims } from '../../../src/conference/join-token';
import type { PromptKey } from '../../../src/phone/ivr-state-machine';
import { PromptPlayer } from '../../../src/phone/prompt-player';

export interface PhoneConnection {
  claims: JoinClaims;
  /** Every conference state ConferenceService sent this phone, oldest first. */
  states: ConferenceStateView[];
  /** Every conference event ConferenceService told this phone, oldest first. */
  events: ConferenceEvent[];
}

/**
 * Every phone caller ConferenceService seats from now on, with what the service tells it: the
 * server's own view of the caller, including the time before any moderator is there to see it.
 */
export function watchPhoneConnections(conferences: ConferenceService): PhoneConnection[] {
  const phones: PhoneConnection[] = [];
  const connect = conferences.connect.bind(conferences);
  vi.spyOn(conferences, 'connect').mockImplementation((claims, connection, via) => {
    if (via !== 'phone') return connect(claims, connection, via);
    const phone: PhoneConnection = { claims, states: [], events: [] };
    phones.push(phone);
    return connect(
      claims,
      {
        id: connection.id,
        close: () => connection.close(),
        notify: (event) => {
          phone.events.push(event);
          connection.notify(event);
        },
        send: (event, ...payload) => {
          if (event === 'conference:state') phone.states.push(payload[0] as ConferenceStateView);
          connection.send(event, ...payload);
        },
      },
      via,
    );
  });
  return phones;
}

/**
 * What the gateway says to each call, in order: one list of prompt keys per call (per prompt
 * player), in the order the calls first spoke, into `calls` (a new list by default). Clear it
 * with `splice(0)` between calls.
 */
export function recordPrompts(calls: PromptKey[][] = []): PromptKey[][] {
  const byPlayer = new WeakMap<PromptPlayer, PromptKey[]>();
  const play = PromptPlayer.prototype.play;
  vi.spyOn(PromptPlayer.prototype, 'play').mockImplementation(function (this: PromptPlayer, prompts, options) {
    let said = byPlayer.get(this);
    if (!said) {
      said = [];
      byPlayer.set(this, said);
      calls.push(said);
    }
    said.push(...prompts);
    return play.call(this, prompts, options);
  });
  return calls;
}

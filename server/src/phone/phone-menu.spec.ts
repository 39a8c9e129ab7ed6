import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CallKeys } from './call-keys';
import { IvrStateMachine } from './ivr-state-machine';
import { PhoneMenu, type PhoneMenuHooks } from './phone-menu';
import type { PromptPlayer } from './prompt-player';
import type { SipCall } from '@konferenz/sip';

class FakePlayer extends EventEmitter {
  readonly played: string[][] = [];
  playing = false;
  play(prompts: string[]): void {
    this.played.push(prompts);
    this.playing = true;
  }
  stop(): void {
    this.playing = false;
  }
}

function menu() {
  const call = Object.assign(new EventEmitter(), { hangup: () => undefined });
  const keys = new EventEmitter();
  const player = new FakePlayer();
  const joins: unknown[] = [];
  const hooks: PhoneMenuHooks = { join: (entry) => joins.push(entry), action: () => undefined };
  const phoneMenu = new PhoneMenu(
    call as unknown as SipCall,
    keys as unknown as CallKeys,
    player as unknown as PromptPlayer,
    new IvrStateMachine({ checkPin: async () => 'participant' }),
    hooks,
  );
  const press = (typed: string) => {
    for (const key of typed) keys.emit('key', key);
  };
  return { phoneMenu, press, player, joins };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('PhoneMenu', () => {
  it('keeps keys that arrive before the menu starts (media can precede the ACK) and applies them after the welcome starts', async () => {
    const { phoneMenu, press, player } = menu();
    press('*');
    await settled();
    expect(player.played).toEqual([]);
    phoneMenu.start();
    await settled();
    expect(player.played).toEqual([['de/welcome', 'de/enter-room-number'], ['en/enter-room-number']]);
  });

  it('takes a whole room number and PIN typed ahead of the prompts', async () => {
    const { phoneMenu, press, joins } = menu();
    press('47110815#');
    phoneMenu.start();
    press('583920#');
    await settled();
    expect(joins).toEqual([{ roomNumber: '47110815', role: 'participant', language: 'de' }]);
  });
});

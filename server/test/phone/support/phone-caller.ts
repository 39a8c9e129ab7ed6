import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { phoneCallerScenario, type PhoneCaller } from '@konferenz/testing/sipp-scenario';
import { recordKeyPresses } from './rfc4733-key-presses';
import { runSipp, type SippRun } from './sipp';

export interface PhoneCall extends PhoneCaller {
  /** A space is a half-second pause. */
  keys: string;
  /** How the phone sends its keys: RFC 4733 telephone-events on the RTP stream, or SIP INFO. */
  dtmf: 'rfc4733' | 'sip-info';
  /** The caller's address (default 127.0.0.1): another loopback address is another network source. */
  address?: string;
}

/**
 * One sipp caller against the gateway on `sipPort`: its scenario (and, for RFC 4733, its key
 * presses) are written to a folder `name` under `dir`; resolves when sipp is done.
 */
export function callIn(dir: string, sipPort: number, name: string, { dtmf, keys, address, ...call }: PhoneCall): Promise<SippRun> {
  const folder = join(dir, name);
  mkdirSync(folder);
  const scenario = join(folder, 'scenario.xml');
  writeFileSync(scenario, phoneCallerScenario({ ...call, keys: dtmf === 'rfc4733' ? recordKeyPresses(folder, keys) : keys }));
  return runSipp({ scenario, port: sipPort, timeoutSeconds: 60, localAddress: address });
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dialogHeaders, ending, inDialogHeaders, inviteAndAck, rfc4733Keys, scenario, sipInfoKeys } from '@konferenz/testing/sipp-scenario';
import { recordKeyPresses } from '../../phone/support/rfc4733-key-presses';
import { describe, runSipp, type SippRun } from '../../phone/support/sipp';
import type { InteropCell } from '../interop-cells';
import type { DialTarget, InteropCall, InteropClient } from './interop-client';

/** How long the sipp caller stays after its keys before its BYE: time for the matrix to admit it and listen. */
const STAY_MS = 16_000;

/**
 * sipp (Debian's sip-tester) as a caller: G.711 only, keys as RFC 4733 events from a pcap or as SIP
 * INFO. It cannot record, so it runs with `-rtp_echo`: everything it hears it sends back from its
 * media port, and the far end hears its own tone through it (both directions at once). The
 * gateway sends media only after the caller's first packet (symmetric RTP): the key presses'
 * pcap, played from the media port, is that packet; a SIP INFO caller plays one key press (`1`,
 * which means nothing in the conference) after its keys for it.
 */
export const sippClient: InteropClient = {
  echoes: true,
  async dial(cell: InteropCell, target: DialTarget): Promise<InteropCall> {
    if (cell.codec === 'opus') throw new Error('sipp plays G.711 only');
    // A Contact without a transport means UDP (RFC 3261 §19.1.1): over TCP the proxy would send the gateway's BYE nowhere.
    const headers = dialogHeaders(target.caller, target.dialled).replace('[local_port]>\n', '[local_port];transport=[transport]>\n');
    const viaProxy = cell.route === 'via-proxy';
    const later = inDialogHeaders(headers, viaProxy);
    const keys =
      cell.dtmf === 'rfc4733'
        ? rfc4733Keys(recordKeyPresses(target.dir, `  ${target.keys}`))
        : `${sipInfoKeys(`  ${target.keys}`, later)}${rfc4733Keys(recordKeyPresses(target.dir, '1'))}`;
    const end = target.end === 'caller' ? { callerHangsUpAfterMs: STAY_MS } : 'gateway-hangs-up';
    const file = join(target.dir, 'scenario.xml');
    writeFileSync(file, scenario('interop', `${inviteAndAck(headers, cell.codec, [], target.dialled, { viaProxy })}${keys}${ending(end, later)}`));
    let log = '';
    const run: Promise<SippRun> = runSipp({
      scenario: file,
      remoteAddress: target.address,
      port: target.port,
      transport: cell.transport,
      timeoutSeconds: 90,
      args: ['-rtp_echo'],
    }).then((result) => {
      log = describe(result);
      return result;
    });
    const finished = async () => {
      const result = await run;
      if (result.code !== 0) throw new Error(`sipp did not follow its scenario:\n${describe(result)}`);
    };
    return {
      heard: () => null,
      hangUp: finished,
      hungUpByServer: finished,
      close: () => undefined,
      log: () => log,
    };
  },
};

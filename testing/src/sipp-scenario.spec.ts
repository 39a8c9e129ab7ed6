import { describe, expect, it } from 'vitest';
import { dialInScenario, phoneCallerScenario } from './sipp-scenario';

const count = (text: string, part: string) => text.split(part).length - 1;

describe('phone caller scenarios', () => {
  it('key in by SIP INFO, one request per key with rising CSeq, a space as a half-second pause, then hang up', () => {
    const xml = dialInScenario('1# 2', { callerHangsUpAfterMs: 1500 });
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="ISO-8859-1" \?>\n<scenario name="dial-in">/);
    expect(xml.trimEnd().endsWith('</scenario>')).toBe(true);
    expect(count(xml, 'INFO [next_url]')).toBe(3);
    expect([...xml.matchAll(/Signal=(.)/g)].map((match) => match[1])).toEqual(['1', '#', '2']);
    expect([...xml.matchAll(/CSeq: (\d+) INFO/g)].map((match) => match[1])).toEqual(['2', '3', '5']);
    expect(xml).toContain('<pause milliseconds="500"/>');
    expect(xml).toContain('<pause milliseconds="1500"/>');
    expect(xml).toContain('CSeq: 99 BYE');
  });

  it('offer the codec with telephone-events from the caller id given', () => {
    const xml = phoneCallerScenario({ keys: '1', end: 'gateway-hangs-up', codec: 'PCMA', caller: '+4930999' });
    expect(xml).toContain('m=audio [media_port] RTP/AVP 8 101\n      a=rtpmap:8 PCMA/8000\n      a=rtpmap:101 telephone-event/8000\n');
    expect(count(xml, 'From: <sip:+4930999@[local_ip]:[local_port]>')).toBe(3);
    // The INVITE goes out of dialog: no To tag yet.
    expect(xml).toContain('To: <sip:dial-in@[remote_ip]:[remote_port]>\n');
  });

  it('play RFC 4733 key presses from a pcap, and answer the gateway hanging up', () => {
    const xml = phoneCallerScenario({ keys: { pcap: '/tmp/keys.pcap', durationMs: 2400 }, end: 'gateway-hangs-up' });
    expect(xml).toContain('<exec play_pcap_audio="/tmp/keys.pcap"/>');
    expect(xml).toContain('<pause milliseconds="2400"/>');
    expect(xml).toContain('<recv request="BYE" timeout="30000"/>');
    expect(xml).toContain('SIP/2.0 200 OK');
    expect(xml).not.toContain('INFO [next_url]');
  });

  it('through a record-routing proxy: a From of its own, headers on the INVITE alone, and the Route set on every later request', () => {
    const xml = phoneCallerScenario({
      keys: '1',
      end: { callerHangsUpAfterMs: 100 },
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      inviteHeaders: ['Privacy: id', 'P-Preferred-Identity: <sip:+4989123@host>'],
      viaProxy: true,
    });
    expect(count(xml, 'From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=')).toBe(4);
    expect(count(xml, 'Privacy: id')).toBe(1);
    expect(xml).toMatch(/INVITE [^\n]*\n(?:.*\n)*?\s*P-Preferred-Identity: <sip:\+4989123@host>\n\s*CSeq: 1 INVITE/);
    // ACK, INFO and BYE: each carries the Route set sipp learnt from the 200 OK.
    expect(count(xml, '[routes]')).toBe(3);
    expect(xml).toContain('<recv response="200" rrs="true"/>');
  });

  it('without a proxy, no Route set', () => {
    expect(phoneCallerScenario({ keys: '1', end: 'gateway-hangs-up' })).not.toContain('[routes]');
  });
});

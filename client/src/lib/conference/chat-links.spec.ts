import { describe, expect, it } from 'vitest';
import { chatSegments } from './chat-links';

describe('chatSegments', () => {
  it('keeps plain text as one text segment', () => {
    expect(chatSegments('Hallo <b>alle</b>')).toEqual([{ kind: 'text', text: 'Hallo <b>alle</b>' }]);
  });

  it('turns http and https addresses into links, leaving sentence punctuation outside', () => {
    expect(chatSegments('See https://example.org/a?b=1, and http://x.test.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', and ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links other schemes', () => {
    expect(chatSegments('javascript:alert(1) data:text/html,x')).toEqual([{ kind: 'text', text: 'javascript:alert(1) data:text/html,x' }]);
  });

  it('does not let quotes or angle brackets into a link', () => {
    const segments = chatSegments('https://a.test/"><script>');
    expect(segments[0]).toEqual({ kind: 'link', text: 'https://a.test/', href: 'https://a.test/' });
    expect(segments[1]).toEqual({ kind: 'text', text: '"><script>' });
  });
});

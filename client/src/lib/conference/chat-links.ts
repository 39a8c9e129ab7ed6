/** A piece of a chat message: plain text, or an http(s) address to show as a link. */
export type ChatSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** http(s) addresses up to the next space; punctuation that ends a sentence stays outside the link. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/**
 * Splits a message into text and links, so the page renders both as text nodes and `<a>` elements
 * (never markup from the message). Only addresses the URL parser accepts as http(s) become links.
 */
export function chatSegments(message: string): ChatSegment[] {
  const segments: ChatSegment[] = [];
  let last = 0;
  const pushText = (text: string) => {
    if (text) segments.push({ kind: 'text', text });
  };
  for (const match of message.matchAll(URL_PATTERN)) {
    const candidate = match[0].replace(TRAILING_PUNCTUATION, '');
    const href = safeHref(candidate);
    if (!href) continue;
    pushText(message.slice(last, match.index));
    segments.push({ kind: 'link', text: candidate, href });
    last = match.index + candidate.length;
  }
  pushText(message.slice(last));
  return segments;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

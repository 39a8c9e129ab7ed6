import { translate, type Language } from '@konferenz/shared';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Names and addresses come from the registration form: never let them become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

export function paragraph(text: string): string {
  return `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
}

export function link(href: string, label: string = href): string {
  return `<a href="${escapeHtml(href)}" style="color:#0b5cad">${escapeHtml(label)}</a>`;
}

/** A paragraph whose text contains `href` (a URL filled into a translated sentence): that URL becomes a link. */
export function paragraphWithLink(text: string, href: string): string {
  const at = text.indexOf(href);
  if (at < 0) return paragraph(text);
  return `<p style="margin:0 0 16px">${escapeHtml(text.slice(0, at))}${link(href)}${escapeHtml(text.slice(at + href.length))}</p>`;
}

export function button(href: string, label: string): string {
  return `<p style="margin:0 0 16px"><a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(label)}</a></p>`;
}

export function layout(language: Language, subject: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1d2430;background:#f4f6f9;margin:0;padding:24px">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
${bodyHtml}
<p style="margin:24px 0 0;color:#6b7280;font-size:13px">${escapeHtml(translate(language, 'mail.footer'))}</p>
</div></body></html>`;
}

export function plainText(language: Language, paragraphs: string[]): string {
  return `${paragraphs.join('\n\n')}\n\n-- \n${translate(language, 'mail.footer')}\n`;
}

/** RFC 3261 §25.1 token: method names, header names, parameter names. */
export const SIP_TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
/** A header line of a SIP message after unfolding: `Name: value`, name a token. */
export const SIP_HEADER_LINE = /^([A-Za-z0-9.!%*_+`'~-]+)[ \t]*:[ \t]*(.*)$/;
/** Request line, strict: one space between the parts and version 2.0 only. */
export const SIP_REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) ([^ \t]+) SIP\/2\.0$/;
export const SIP_STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/;
/** Digits only, no sign, no exponent, no hex; a few digits are plenty. */
export const SIP_UNSIGNED = /^\d{1,9}$/;
/** Header values may hold UTF-8 text but never control characters other than tab. */
export const SIP_HEADER_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;
/** RFC 3261 Call-ID: word ["@" word]. */
export const SIP_CALL_ID = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;
/** Hosts as they appear in Via and URIs: a name, an IPv4 address or a bracketed IPv6 address. */
export const SIP_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;
/** RFC 3261 magic cookie: a branch starting with it identifies the transaction by itself. */
export const SIP_BRANCH_MAGIC_COOKIE = 'z9hG4bK';

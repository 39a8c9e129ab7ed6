/**
 * User agents of SIP scanning and password-guessing tools (sipvicious' svmap/svwar/svcrack write
 * "friendly-scanner" by default, sipcli, VaxSIPUserAgent, sundayddr, iWar, SIPScan, smap, …).
 * No phone or trunk sends these; with SIP_DROP_SCANNERS their requests get no answer at all, so
 * the scan learns nothing, not even that a SIP server listens.
 */
const SCANNER_USER_AGENTS = /friendly-scanner|sipvicious|sipcli|vaxsipuseragent|sundayddr|iwar|sip-?scan|\bsmap\b|pplsip/i;

export function isScannerUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && SCANNER_USER_AGENTS.test(userAgent);
}

export * from './sip-limits';
export * from './sip-grammar';
export * from './sip-request';
export * from './sdp';
export * from './dtmf';
export * from './ivr-prompts';

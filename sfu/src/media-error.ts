export const MEDIA_ERROR_CODES = ['UNKNOWN_PEER', 'UNKNOWN_TRANSPORT', 'UNKNOWN_PRODUCER', 'UNKNOWN_CONSUMER', 'NOT_ALLOWED', 'MEDIA_FAILED'] as const;
export type MediaErrorCode = (typeof MEDIA_ERROR_CODES)[number];

/**
 * The one error type the media plane throws, so the server can map `code` to
 * its own error reply without parsing mediasoup's messages.
 */
export class MediaError extends Error {
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string) {
    super(message);
    this.name = 'MediaError';
    this.code = code;
  }
}

/**
 * Runs a mediasoup call; whatever it throws (TypeError on bad parameters,
 * InvalidStateError once its worker is gone, ...) becomes MEDIA_FAILED with
 * mediasoup's message. MediaErrors pass through unchanged.
 */
export async function mediaCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw new MediaError('MEDIA_FAILED', error instanceof Error ? error.message : String(error));
  }
}

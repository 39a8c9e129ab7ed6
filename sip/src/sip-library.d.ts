/**
 * Types for the parts of the `sip` package (kirm/sip.js, MIT) the gateway uses: its message
 * grammar (parse, stringify, URI parsing). Its transports and transaction layer are not used
 * (see sip-message.ts for why).
 */
declare module 'sip' {
  export interface LibraryUri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }
  export interface LibraryMessage {
    method?: string;
    uri?: string;
    version?: string;
    status?: number;
    reason?: string;
    // The library's header values are strings, parsed objects or arrays of them, depending on the header.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    headers: Record<string, any>;
    content?: string;
  }
  export function parse(data: string | Buffer): LibraryMessage | undefined;
  export function stringify(message: LibraryMessage): string;
  export function parseUri(uri: string): LibraryUri | undefined;
  export function stringifyUri(uri: LibraryUri | string): string;
}

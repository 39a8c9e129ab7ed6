import { openConferenceSocket, type ConferenceSocket } from './conference-connection';

export type OpenPreparedSocket = (token: string) => ConferenceSocket;

/** How long `conference:enter` may take before the conference connects anew instead. */
const ENTER_TIMEOUT_MS = 10_000;

const openPrepared: OpenPreparedSocket = (token) => openConferenceSocket(token, undefined, { prepare: true });

/** A prepared socket as the conference takes it over. */
export interface PreparedConnection {
  socket: ConferenceSocket;
  /** Whether the server seated the participant (false: refused, or no answer in time). */
  entered: Promise<boolean>;
  /** What the server sent between the join click and the take-over, in order, for the conference to hear first. */
  heard: Array<{ event: string; args: unknown[] }>;
}

interface Prepared {
  token: string;
  socket: ConferenceSocket;
  entered: Promise<boolean> | null;
  heard: PreparedConnection['heard'];
  hear: (event: string, ...args: unknown[]) => void;
}

let prepared: Prepared | null = null;

/**
 * Connects the conference's socket while the join page checks microphone and camera (the PIN
 * check already gave the token), so that the join click finds it connected and authenticated:
 * neither the WebSocket handshake nor the server's token check is on the way to the first sound.
 * The server seats the participant only on `conference:enter` (enterPreparedConnection, on the
 * join click); until then nobody sees them and they receive nothing, and the server closes the
 * socket when the token runs out. A refused socket (another node runs the room, too many waiting)
 * is dropped: the conference then connects by itself, as without preparing.
 */
export function prepareConnection(token: string, open: OpenPreparedSocket = openPrepared): void {
  discardPreparedConnection();
  const socket = open(token);
  const heard: Prepared['heard'] = [];
  const current: Prepared = { token, socket, entered: null, heard, hear: (event, ...args) => heard.push({ event, args }) };
  prepared = current;
  const drop = () => {
    if (prepared === current) discardPreparedConnection();
  };
  socket.on('connect_error', drop);
  socket.on('disconnect', drop);
  socket.connect();
}

/**
 * The join click: the participant enters now, while the page changes to the conference, which
 * takes the socket over with what the server sent meanwhile.
 */
export function enterPreparedConnection(token: string): void {
  const current = prepared;
  if (current?.token !== token || !current.socket.connected || current.entered) return;
  current.socket.onAny(current.hear);
  current.entered = current.socket
    .timeout(ENTER_TIMEOUT_MS)
    .emitWithAck('conference:enter', {})
    .then(
      (result) => result.ok,
      () => false,
    );
}

/** The prepared socket for this token if it is connected and was entered, without this module's listeners; taken once. */
export function takePreparedConnection(token: string): PreparedConnection | null {
  const taken = prepared;
  prepared = null;
  if (!taken) return null;
  taken.socket.removeAllListeners();
  taken.socket.offAny(taken.hear);
  if (taken.token === token && taken.socket.connected && taken.entered) return { socket: taken.socket, entered: taken.entered, heard: taken.heard };
  taken.socket.disconnect();
  return null;
}

/** Back from the device check, or the page left without joining: the server forgets the socket. */
export function discardPreparedConnection(): void {
  const discarded = prepared;
  prepared = null;
  discarded?.socket.removeAllListeners();
  discarded?.socket.offAny(discarded.hear);
  discarded?.socket.disconnect();
}

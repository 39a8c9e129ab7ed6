import type { MediaJson } from '@konferenz/shared';
import { Device, type types } from 'mediasoup-client';

/** The browser's WebRTC implementation, detected; tests pass mediasoup-client's FakeHandler instead. */
export type CreateDevice = () => Promise<Device>;
export const detectDevice: CreateDevice = () => Device.factory();

/** A device loaded with the routers' capabilities, and those capabilities as the server sent them. */
export interface PreparedDevice {
  device: Device;
  routerRtpCapabilities: MediaJson;
}

let prepared: PreparedDevice | null = null;

/**
 * Loads a mediasoup device while the join page checks microphone and camera, so that joining does
 * not wait for it: loading probes the browser's own codecs (about 35 ms in bench:join). The
 * capabilities come from the server (every room's router offers the same); the conference's
 * first media session confirms them against its router and loads anew if they differ.
 */
export async function prepareDevice(
  fetchCapabilities: () => Promise<{ rtpCapabilities: MediaJson }>,
  createDevice: CreateDevice = detectDevice,
): Promise<void> {
  prepared = null;
  try {
    const { rtpCapabilities } = await fetchCapabilities();
    const device = await createDevice();
    await device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    prepared = { device, routerRtpCapabilities: rtpCapabilities };
  } catch (error) {
    // Not ready, then: the conference loads its device itself.
    console.warn('Konferenz: preparing the media device failed', error);
  }
}

/** The prepared device, if it is ready; taken once (a media session after a reset loads its own). */
export function takePreparedDevice(): PreparedDevice | null {
  const taken = prepared;
  prepared = null;
  return taken;
}

/** Whether two sets of router capabilities, as the server sent them, are the same. */
export function sameCapabilities(a: MediaJson, b: MediaJson): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

import { outputSelectable } from './audio-output';

/** A microphone, camera or speaker to choose from. */
export interface DeviceOption {
  deviceId: string;
  label: string;
}

export type DeviceKind = 'microphone' | 'camera' | 'speaker';

const MEDIA_KIND: Record<DeviceKind, MediaDeviceKind> = { microphone: 'audioinput', camera: 'videoinput', speaker: 'audiooutput' };

/** The devices of one kind, as enumerateDevices lists them (names only once access was granted). */
export function deviceOptions(devices: readonly MediaDeviceInfo[], kind: DeviceKind): DeviceOption[] {
  const mediaKind = MEDIA_KIND[kind];
  return devices
    .filter((device) => device.kind === mediaKind && device.deviceId !== '')
    .map((device, index) => ({ deviceId: device.deviceId, label: device.label || `${kind} ${index + 1}` }));
}

/** The devices a choice of microphone, camera and speaker shows. */
export interface DeviceLists {
  microphones: DeviceOption[];
  cameras: DeviceOption[];
  /** Empty where the browser cannot choose the speaker (no setSinkId): the choice is hidden. */
  speakers: DeviceOption[];
}

/** Fills `lists` with the devices plugged in now; where the browser will not list them, they stay as they are. */
export async function refreshDeviceLists(lists: DeviceLists): Promise<void> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    lists.microphones = deviceOptions(devices, 'microphone');
    lists.cameras = deviceOptions(devices, 'camera');
    lists.speakers = outputSelectable() ? deviceOptions(devices, 'speaker') : [];
  } catch {
    // keep the lists as they are
  }
}

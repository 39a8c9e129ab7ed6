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

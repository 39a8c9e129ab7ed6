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

/**
 * The device to use after the list changed (a device plugged in or out): the chosen one while it
 * is there, else the first left (the browser's default comes first), else none.
 */
export function deviceAfterChange(options: readonly DeviceOption[], chosenId: string | null): string | null {
  if (chosenId !== null && options.some((option) => option.deviceId === chosenId)) return chosenId;
  return options[0]?.deviceId ?? null;
}

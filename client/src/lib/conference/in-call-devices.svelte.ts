import { outputSelectable } from './audio-output';
import { type DeviceOption, deviceOptions } from './device-options';
import { mediaDevicesAvailable } from './media-constraints';

/**
 * The microphones, cameras and speakers to choose from during the call, kept current as devices
 * are plugged in and out. Speakers stay empty where the browser cannot choose one (no setSinkId).
 */
export class InCallDevices {
  microphones = $state.raw<DeviceOption[]>([]);
  cameras = $state.raw<DeviceOption[]>([]);
  speakers = $state.raw<DeviceOption[]>([]);

  readonly #onDeviceChange = () => void this.#list();

  start(): void {
    if (!mediaDevicesAvailable()) return;
    navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);
    void this.#list();
  }

  stop(): void {
    if (mediaDevicesAvailable()) navigator.mediaDevices.removeEventListener('devicechange', this.#onDeviceChange);
  }

  async #list(): Promise<void> {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      this.microphones = deviceOptions(devices, 'microphone');
      this.cameras = deviceOptions(devices, 'camera');
      this.speakers = outputSelectable() ? deviceOptions(devices, 'speaker') : [];
    } catch {
      // keep the lists as they are
    }
  }
}

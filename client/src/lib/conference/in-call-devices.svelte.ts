import { type DeviceLists, type DeviceOption, refreshDeviceLists } from './device-options';
import { mediaDevicesAvailable } from './media-constraints';

/**
 * The microphones, cameras and speakers to choose from during the call, kept current as devices
 * are plugged in and out. Speakers stay empty where the browser cannot choose one (no setSinkId).
 */
export class InCallDevices implements DeviceLists {
  microphones = $state.raw<DeviceOption[]>([]);
  cameras = $state.raw<DeviceOption[]>([]);
  speakers = $state.raw<DeviceOption[]>([]);

  readonly #onDeviceChange = () => void refreshDeviceLists(this);

  start(): void {
    if (!mediaDevicesAvailable()) return;
    navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);
    void refreshDeviceLists(this);
  }

  stop(): void {
    if (mediaDevicesAvailable()) navigator.mediaDevices.removeEventListener('devicechange', this.#onDeviceChange);
  }
}

import { describe, expect, it } from 'vitest';
import { deviceOptions } from './device-options';

const device = (kind: MediaDeviceKind, deviceId: string, label = ''): MediaDeviceInfo =>
  ({ kind, deviceId, label, groupId: '', toJSON: () => ({}) }) as MediaDeviceInfo;

describe('deviceOptions', () => {
  const devices = [
    device('audioinput', 'default', 'Standard'),
    device('audioinput', 'mic-2', 'USB-Mikrofon'),
    device('videoinput', 'cam-1', 'Kamera'),
    device('audiooutput', 'default', 'Lautsprecher'),
    device('audiooutput', 'out-2'),
    device('videoinput', ''),
  ];

  it('lists the devices of one kind, with a name where the browser gives none', () => {
    expect(deviceOptions(devices, 'microphone')).toEqual([
      { deviceId: 'default', label: 'Standard' },
      { deviceId: 'mic-2', label: 'USB-Mikrofon' },
    ]);
    expect(deviceOptions(devices, 'camera')).toEqual([{ deviceId: 'cam-1', label: 'Kamera' }]);
    expect(deviceOptions(devices, 'speaker')).toEqual([
      { deviceId: 'default', label: 'Lautsprecher' },
      { deviceId: 'out-2', label: 'speaker 2' },
    ]);
  });
});

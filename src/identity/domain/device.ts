import { badInput } from '../../kernel/errors.js';

export const DEVICE_ID_MAX_LENGTH = 128;
export const DEVICE_NAME_MAX_LENGTH = 128;

export function parseDeviceId(input: string, field = 'deviceId'): string {
  const value = input.trim();
  if (value.length === 0 || value.length > DEVICE_ID_MAX_LENGTH) {
    throw badInput(field, `Device id must be 1 to ${DEVICE_ID_MAX_LENGTH} characters long`);
  }
  return value;
}

export function parseDeviceName(input: string | null | undefined, field = 'deviceName'): string | undefined {
  const value = input?.trim();
  if (!value) return undefined;
  if (value.length > DEVICE_NAME_MAX_LENGTH) {
    throw badInput(field, `Device name must be at most ${DEVICE_NAME_MAX_LENGTH} characters long`);
  }
  return value;
}

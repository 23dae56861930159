/**
 * botgate's device cookie: a random id and its issue time, signed with a key derived from the
 * node secret, so any node can verify it and a client cannot mint one that passes. It is the
 * evidence a returning browser or app carries: "this device logged this user in before", "this
 * login follows a page visit". It identifies a device, not a person, and holds no user data.
 *
 * Format: `<16 hex id>.<issuedAt base 36>.<22 chars base64url HMAC-SHA256, first 16 bytes>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Device } from '../detectors/detector.js';
import { deriveKey, hmacKey } from '../signals/identity.js';
import { referenceId } from './reference-id.js';

export const DEVICE_COOKIE = '__bg_d';
const MAC_BYTES = 16;
/** A year: the device's history is the point, and the signature, not the age, is what is trusted. */
const MAX_AGE_SECONDS = 365 * 24 * 3600;

export interface DeviceCookies {
  /** The verified device in a Cookie header, or null (absent, malformed, forged). */
  read(cookieHeader: string | undefined): Device | null;
  /** A new device and the Set-Cookie value that gives it to the client. */
  issue(now: number, secure: boolean): { device: Device; setCookie: string };
}

export function createDeviceCookies(secret: string | Buffer): DeviceCookies {
  const key = hmacKey(deriveKey(secret, 'device-cookie'));
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
  return {
    read(cookieHeader) {
      const value = cookieValue(cookieHeader, DEVICE_COOKIE);
      if (value === null) return null;
      const lastDot = value.lastIndexOf('.');
      if (lastDot < 0) return null;
      const payload = value.slice(0, lastDot);
      const given = Buffer.from(value.slice(lastDot + 1), 'base64url');
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(payload))) return null;
      const dot = payload.indexOf('.');
      const issuedAt = Number.parseInt(payload.slice(dot + 1), 36);
      if (dot !== 16 || !Number.isFinite(issuedAt)) return null;
      return { id: payload.slice(0, dot), issuedAt };
    },
    issue(now, secure) {
      const device = { id: referenceId(), issuedAt: now };
      const payload = `${device.id}.${now.toString(36)}`;
      const value = `${payload}.${mac(payload).toString('base64url')}`;
      const attributes = `; Path=/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
      return { device, setCookie: `${DEVICE_COOKIE}=${value}${attributes}` };
    },
  };
}

/** The value of one cookie in a Cookie header, without allocating a map of all of them. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  let from = 0;
  while (from < header.length) {
    const at = header.indexOf(name, from);
    if (at < 0) return null;
    const before = at === 0 ? ' ' : header[at - 1];
    if ((before === ' ' || before === ';') && header[at + name.length] === '=') {
      const start = at + name.length + 1;
      const end = header.indexOf(';', start);
      return header.slice(start, end < 0 ? header.length : end).trim();
    }
    from = at + name.length;
  }
  return null;
}
